package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/readmodel"
)

// TestServiceTimes: the queue lists the check due first first, each row says how long is left or how
// late it is, and the overview counts the late ones and says how long the oldest has waited.
func TestServiceTimes(t *testing.T) {
	tc := newTestConsoleWith(t, 30, func(c *handlers.Config, _ *auth.Config) {
		c.ServiceTimes = readmodel.ServiceTimes{"consider": 4 * time.Hour, "caution": 24 * time.Hour}
	})
	fresh := scenarioCheck(t, tc, customer("fresh@example.com", "Fre", "Sh"), sandbox.ScenarioFaceMismatch)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)

	var dues []time.Time
	late := 0
	rows := reviewer.get("/checks?queue=review&size=100").doc(t).Find(`[data-testid="check-row"]`)
	if rows.Length() < 5 {
		t.Fatalf("%d rows in the queue", rows.Length())
	}
	rows.Each(func(_ int, row *goquery.Selection) {
		sla := row.Find(`[data-testid="sla"]`)
		due, err := time.Parse("Due 2 Jan 2006, 15:04 UTC", sla.AttrOr("title", ""))
		if err != nil {
			t.Fatalf("row %s: %v", row.AttrOr("id", ""), err)
		}
		overdue := sla.AttrOr("data-overdue", "")
		if (overdue == "true") != due.Before(time.Now()) || (overdue == "true") != strings.HasSuffix(strings.TrimSpace(sla.Text()), "late") {
			t.Errorf("row %s due %v says %q, overdue %s", row.AttrOr("id", ""), due, sla.Text(), overdue)
		}
		if overdue == "true" {
			late++
		}
		dues = append(dues, due)
	})
	for i := 1; i < len(dues); i++ {
		if dues[i].Before(dues[i-1]) {
			t.Fatalf("row %d is due %v, before the row above it (%v)", i, dues[i], dues[i-1])
		}
	}
	last := rows.Last()
	if last.AttrOr("id", "") != "check-"+fresh.ID || !strings.Contains(last.Find(`[data-testid="sla"]`).Text(), "left") {
		t.Errorf("the check that just completed is not last with time left: %s %q", last.AttrOr("id", ""), last.Find(`[data-testid="sla"]`).Text())
	}
	home := reviewer.get("/").doc(t)
	if n := strings.TrimSpace(home.Find(`[data-testid="overdue-count"]`).Text()); n != strconv.Itoa(late) || late == 0 {
		t.Errorf("the overview counts %s overdue, the queue shows %d", n, late)
	}
	if home.Find(`[data-testid="queue-oldest"] time`).Length() != 1 {
		t.Error("the overview does not say how long the oldest check has waited")
	}
}
