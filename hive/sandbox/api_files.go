package sandbox

import (
	"container/list"
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/hiveconsole/hiveconsole/hive"
)

// fileURL is where a file's bytes are served: /downloads/{id} on the sandbox itself.
func (s *Server) fileURL(r *http.Request, id string) string {
	base := s.baseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/downloads/" + id
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) error {
	return streamList(w, r, s.listStall, func(ctx context.Context, fn func(hive.File) error) error {
		return s.store.eachFile(ctx, func(f storedFile) error {
			f.URL = s.fileURL(r, f.ID)
			return fn(f.File)
		})
	})
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.store.file(r.Context(), r.PathValue("id"))
	if errors.Is(err, errNotFound) {
		return notFound("file")
	}
	if err != nil {
		return err
	}
	f.URL = s.fileURL(r, f.ID)
	writeJSON(w, http.StatusOK, f.File)
	return nil
}

// download serves a file's bytes, rendered from its session's evidence (and cached), with its
// exact type and length.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	f, err := s.store.file(r.Context(), r.PathValue("id"))
	if errors.Is(err, errNotFound) {
		return notFound("file")
	}
	if err != nil {
		return err
	}
	img, err := s.images.get(f.ID, func() (renderedFile, error) {
		c, err := sessionEvidence(r.Context(), s.store.db, f.sessionID)
		if err != nil {
			return renderedFile{}, err
		}
		return renderEvidenceFile(f.Type, c.evidence(f.sessionID))
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", img.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(img.data)))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, err = w.Write(img.data)
	return err
}

// renderedFile is an image's bytes and type.
type renderedFile struct {
	data        []byte
	contentType string
}

// renderEvidenceFile renders one uploaded file of a session from its evidence.
func renderEvidenceFile(kind hive.FileType, ev Evidence) (renderedFile, error) {
	data, contentType, err := RenderFile(ev, kind)
	return renderedFile{data: data, contentType: contentType}, err
}

// imageCache keeps the most recently served images: rendering one takes tens of milliseconds, and
// a reviewer's page asks for the same few several times.
type imageCache struct {
	mu      sync.Mutex
	max     int
	order   *list.List // of string ids, most recent first
	entries map[string]*list.Element
	values  map[string]renderedFile
}

func newImageCache(max int) *imageCache {
	return &imageCache{max: max, order: list.New(), entries: map[string]*list.Element{}, values: map[string]renderedFile{}}
}

// get returns the cached image or renders it. Two concurrent misses may both render; the result is
// the same bytes, so that costs time, never correctness.
func (c *imageCache) get(id string, render func() (renderedFile, error)) (renderedFile, error) {
	c.mu.Lock()
	if e, ok := c.entries[id]; ok {
		c.order.MoveToFront(e)
		v := c.values[id]
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	v, err := render()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[id]; !ok {
		c.entries[id] = c.order.PushFront(id)
		c.values[id] = v
		for c.order.Len() > c.max {
			last := c.order.Back()
			c.order.Remove(last)
			delete(c.entries, last.Value.(string))
			delete(c.values, last.Value.(string))
		}
	}
	return v, nil
}
