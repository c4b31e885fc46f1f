package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hiveconsole/hiveconsole/database"
)

// openDatabase opens the console database: the PostgreSQL one databaseURL names (several replicas
// share it), or, when databaseURL is empty, the SQLite file in dataDir. mustExist refuses to create a
// SQLite file that is not there yet, so a mistyped data directory is reported rather than answered
// from an empty database; a PostgreSQL database is always there once the URL connects.
func openDatabase(ctx context.Context, dataDir, databaseURL string, mustExist bool) (*database.DB, error) {
	if databaseURL != "" {
		if !database.IsPostgresURL(databaseURL) {
			return nil, usageError{"HIVECONSOLE_DATABASE_URL: want a postgres:// URL, or nothing for SQLite in the data directory"}
		}
		return database.OpenPostgres(ctx, databaseURL)
	}
	if mustExist {
		if _, err := os.Stat(filepath.Join(dataDir, "console.db")); err != nil {
			return nil, fmt.Errorf("no console database in %s (set HIVECONSOLE_DATA_DIR or --data-dir, or HIVECONSOLE_DATABASE_URL)", dataDir)
		}
	}
	return database.Open(ctx, dataDir)
}

// defaultDataDir is the data directory a command uses before its --data-dir flag:
// HIVECONSOLE_DATA_DIR, else ./data.
func defaultDataDir(getenv func(string) string) string {
	if d := getenv("HIVECONSOLE_DATA_DIR"); d != "" {
		return d
	}
	return "data"
}
