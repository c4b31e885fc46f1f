package handlers

import (
	"context"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hiveconsole/hiveconsole/hive"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"
)

const (
	// reportFetches is how many reports the checks list asks Hive for at once.
	reportFetches = 8
	// reportCacheSize bounds the cache: a result is a few dozen bytes, so this is about 1 MB.
	reportCacheSize = 20_000
)

// reportCache keeps the overall result of completed checks' reports, so the checks list can show
// them without asking Hive for a report per row per view. A completed report does not change, so an
// entry never goes stale; the least recently used entries make way once the cache is full. Staff
// share it.
type reportCache struct {
	hive    Hive
	group   singleflight.Group              // one fetch per report, however many lists want it
	results *lru.Cache[string, hive.Status] // safe for concurrent use
}

func newReportCache(h Hive, size int) *reportCache {
	results, err := lru.New[string, hive.Status](size)
	if err != nil {
		panic(err) // only for a size below one, and the size is a constant
	}
	return &reportCache{hive: h, results: results}
}

// put records a completed check's result, for example when its page has fetched the report.
func (rc *reportCache) put(id string, result hive.Status) { rc.results.Add(id, result) }

func (rc *reportCache) cached(id string) (hive.Status, bool) { return rc.results.Get(id) }

// resultsOf returns the report result of each of the given completed checks, fetching the ones not
// cached with at most reportFetches requests at once. A report Hive does not give (deleted since,
// Hive failing, ctx ending) is left out of the map: the list shows that result as unknown rather
// than failing the whole page.
func (rc *reportCache) resultsOf(ctx context.Context, ids []string) map[string]hive.Status {
	out := make(map[string]hive.Status, len(ids))
	var missing []string
	for _, id := range ids {
		if s, ok := rc.cached(id); ok {
			out[id] = s
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(reportFetches)
	for _, id := range missing {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			v, err, _ := rc.group.Do(id, func() (any, error) {
				rep, err := rc.hive.GetReport(gctx, id)
				if err != nil {
					return nil, err
				}
				rc.put(id, rep.Result)
				return rep.Result, nil
			})
			if err == nil {
				mu.Lock()
				out[id] = v.(hive.Status)
				mu.Unlock()
			}
			return nil // one missing report does not stop the others
		})
	}
	_ = g.Wait()
	return out
}
