package auth

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// maxUserAgent is as much of a User-Agent as a session keeps: enough to tell browsers apart.
const maxUserAgent = 300

// cutUserAgent keeps the first maxUserAgent characters of a User-Agent, without control characters.
func cutUserAgent(ua string) string {
	ua = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, ua)
	if utf8.RuneCountInString(ua) <= maxUserAgent {
		return ua
	}
	return string([]rune(ua)[:maxUserAgent])
}

// SessionInfo is one of a user's web sessions as they see it on their Security page. Key names it
// for ending it: the database's key, the hash of the cookie's id, which signs nobody in.
type SessionInfo struct {
	Key                 string
	UserAgent, ClientIP string
	CreatedAt, LastSeen time.Time
	Current             bool // the session of the request that asks
}

// SessionsOf lists userID's live web sessions, most recently used first; current is the asking
// request's session (WebSession.Session.ID), marked Current. Sessions past their timeouts, which the
// purge has not deleted yet, are left out.
func (s *Service) SessionsOf(ctx context.Context, userID, current string) ([]SessionInfo, error) {
	rows, err := s.store.UserWebSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []SessionInfo
	for _, r := range rows {
		if now.Sub(r.LastSeenAt) > s.sessions.idle || now.Sub(r.CreatedAt) > s.sessions.absolute {
			continue
		}
		out = append(out, SessionInfo{Key: r.IDHash, UserAgent: r.UserAgent, ClientIP: r.ClientIP, CreatedAt: r.CreatedAt,
			LastSeen: r.LastSeenAt, Current: r.IDHash == current})
	}
	return out, nil
}

// EndSession ends one of userID's sessions; false when they have none by that key (ended already, or
// someone else's).
func (s *Service) EndSession(ctx context.Context, userID, key string) (bool, error) {
	if !validSessionKey(key) {
		return false, nil
	}
	return s.store.DeleteUserWebSession(ctx, userID, key)
}
