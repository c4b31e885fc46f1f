package views

import "time"

// FilesModel is the files list.
type FilesModel struct {
	Rows                       []FileRow
	Pager                      Pager
	Search, Type, Check, Since string // the search and filters, or ""
	URL                        string // this view's address, for the address bar
	Signals                    string // the query as Datastar signals (JSON)
	SearchHint                 string
	Thumbnails                 bool // the viewer may open identity images: rows show a preview
	Total                      int
	Now                        time.Time
	Sync                       SyncStatus
}

// FileRow is an image Hive holds, in a table, with the customer of its check.
type FileRow struct {
	ID, Type, Label, CheckID string
	CustomerID, CustomerName string // "" when the file belongs to no check the console knows
	Created                  time.Time
}

// FileModel is one file's page.
type FileModel struct {
	FileRow
	Metadata    []KeyValue
	CanDownload bool
	Now         time.Time
}

// Thumbnail is a small preview of an image Hive holds, through the file proxy.
type Thumbnail struct {
	ID, Label string
}
