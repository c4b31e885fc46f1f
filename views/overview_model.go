package views

import "time"

// OverviewModel is the home page.
type OverviewModel struct {
	Customers, Sessions, Checks, Processing int
	Recent                                  []CheckRow
	Now                                     time.Time
	ShowQueue                               bool           // the user decides reviews
	Queue                                   []CheckListRow // the top of the review queue
	QueueTotal                              int
	Mine                                    int       // checks in the queue the user holds
	Overdue                                 int       // checks in the queue past their service time
	Oldest                                  time.Time // when the check waiting longest completed; zero when none waits
	QueueKey                                string    // names what the queue card shows, for the live stream
	Sync                                    SyncStatus
}
