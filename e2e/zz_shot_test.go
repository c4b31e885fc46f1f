//go:build browser

package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func top(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			return err
		}
		return os.WriteFile("/tmp/shots/"+name+".png", b, 0o644)
	})
}

func TestZZShot(t *testing.T) {
	u := "http://127.0.0.1:8123"
	ctx := browserWithin(t, 90*time.Second)
	do(t, ctx, signIn(u, "admin@localhost", "a long screenshot passphrase"), chromedp.Sleep(2*time.Second),
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(u+"/"), chromedp.Sleep(time.Second), top("overview"),
		chromedp.Navigate(u+"/checks?queue=review"), chromedp.Sleep(2*time.Second), top("queue-admin"),
	)
}
