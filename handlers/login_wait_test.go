package handlers

import (
	"testing"
	"time"
)

// TestThrottleWaitWords: a throttled sign-in is told a whole number of seconds or minutes to wait,
// rounded up, so waiting that long is always enough.
func TestThrottleWaitWords(t *testing.T) {
	tests := []struct {
		retryAfter time.Duration
		wantWait   time.Duration
		wantWords  string
	}{
		{300 * time.Millisecond, time.Second, "a second"},
		{time.Second, time.Second, "a second"},
		{1400 * time.Millisecond, 2 * time.Second, "2 seconds"},
		{32 * time.Second, 32 * time.Second, "32 seconds"},
		{59*time.Second + time.Millisecond, time.Minute, "a minute"},
		{61 * time.Second, 61 * time.Second, "2 minutes"},
		{30 * time.Minute, 30 * time.Minute, "30 minutes"},
	}
	for _, tt := range tests {
		wait := ceilSecond(tt.retryAfter)
		if wait != tt.wantWait || humanDuration(wait) != tt.wantWords {
			t.Errorf("RetryAfter %v: got %v, %q; want %v, %q", tt.retryAfter, wait, humanDuration(wait), tt.wantWait, tt.wantWords)
		}
	}
}
