package views

import "time"

// FilesModel is the files list.
type FilesModel struct {
	Rows               []FileRow
	Pager              Pager
	Type, Check, Since string // the filters, or ""
	Total              int
	Now                time.Time
	Sync               SyncStatus
}

// FileRow is an image Hive holds, in a table.
type FileRow struct {
	ID, Type, Label, CheckID string
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
