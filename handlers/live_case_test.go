package handlers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// TestCaseStream: a reviewer's open report page learns, without a reload, that a colleague claimed
// the check, wrote a note and decided: the stream replaces the claim panel, the notes, the state and
// the decisions, and says what changed.
func TestCaseStream(t *testing.T) {
	tc := newTestConsole(t, fastStreams)
	ch := scenarioCheck(t, tc, customer("live@example.com", "Liv", "Case"), sandbox.ScenarioFaceMismatch)
	watcher := tc.browser()
	watcher.signInAs(auth.RoleReviewer)
	ben := reviewerBrowser(t, tc, "ben@example.com")

	live := watcher.get("/checks/" + ch.ID).doc(t).Find(`[data-testid="case-live"]`)
	var sig struct {
		Case struct{ URL, Version string } `json:"case"`
	}
	if err := json.Unmarshal([]byte(live.AttrOr("data-signals", "")), &sig); err != nil || sig.Case.Version == "" {
		t.Fatalf("the page opens no case stream: %q %v", live.AttrOr("data-signals", ""), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	signals, _ := json.Marshal(map[string]any{"case": map[string]string{"version": sig.Case.Version}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tc.URL+sig.Case.URL+"?datastar="+url.QueryEscape(string(signals)), nil)
	req.Header.Set("Datastar-Request", "true")
	resp, err := watcher.client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("case stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	// waitFor reads the stream until a line holds want.
	waitFor := func(want string) {
		t.Helper()
		for lines.Scan() {
			if strings.Contains(lines.Text(), want) {
				return
			}
		}
		t.Fatalf("the stream ended without %q", want)
	}

	ben.post("/checks/"+ch.ID+"/claim", nil)
	waitFor("ben@example.com holds the check now")
	waitFor(`data-holder="ben@example.com"`)
	ben.post("/checks/"+ch.ID+"/notes", url.Values{"body": {"asked the customer for a clearer selfie"}})
	waitFor("There is a new note")
	waitFor("asked the customer for a clearer selfie")
	decide(ben, ch.ID, "reject", "face_mismatch", "not the same person")
	waitFor("ben@example.com recorded a decision: rejected")
	waitFor(`data-state="rejected"`)
}

// TestQueueAndOverviewStreams: a reviewer's open queue and overview learn of a colleague's claim
// without a reload: the queue's stream asks the page for its table again, the overview's replaces
// the queue card.
func TestQueueAndOverviewStreams(t *testing.T) {
	tc := newTestConsoleWith(t, 30, fastStreams)
	watcher := tc.browser()
	watcher.signInAs(auth.RoleReviewer)
	ben := reviewerBrowser(t, tc, "ben@example.com")
	head := queueHead(t, tc, 1)[0]

	open := func(path string) (*bufio.Scanner, func()) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tc.URL+path, nil)
		req.Header.Set("Datastar-Request", "true")
		resp, err := watcher.client.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", path, resp, err)
		}
		lines := bufio.NewScanner(resp.Body)
		lines.Buffer(make([]byte, 1<<20), 1<<20)
		return lines, func() { cancel(); resp.Body.Close() }
	}
	signals, _ := json.Marshal(map[string]any{"queue": "review", "size": 25, "sort": "created", "dir": "desc", "page": 1})
	queueLines, closeQueue := open("/checks/stream?datastar=" + url.QueryEscape(string(signals)))
	defer closeQueue()
	overviewLines, closeOverview := open("/overview/stream")
	defer closeOverview()
	time.Sleep(100 * time.Millisecond) // both streams hold what the pages show

	ben.post("/checks/"+head+"/claim", nil)
	found := func(lines *bufio.Scanner, want string) bool {
		for lines.Scan() {
			if strings.Contains(lines.Text(), want) {
				return true
			}
		}
		return false
	}
	if !found(queueLines, "checksChanged") {
		t.Error("the queue's stream did not ask for the table after a colleague's claim")
	}
	if !found(overviewLines, `id="overview-queue"`) {
		t.Error("the overview's stream did not replace the queue card after a colleague's claim")
	}
}
