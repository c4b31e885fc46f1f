// Package secretfile keeps a generated secret in a file of the data directory: made once, readable
// by its owner only, and refused when anyone else can read it.
package secretfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Read returns the contents of the secret file at path, first creating it (and dataDir, mode 0700)
// with generate's output, mode 0600, when it does not exist. A file that group or others can read is
// refused. Errors never quote the file's contents.
func Read(dataDir, path string, generate func() string) ([]byte, error) {
	if err := create(dataDir, path, generate); err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by group or others (mode %v); chmod 600 it", path, perm)
	}
	return os.ReadFile(path)
}

// create writes generate's output to path unless the file exists. O_EXCL makes two processes
// starting at once agree on one file instead of overwriting each other's secret.
func create(dataDir, path string, generate func() string) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, werr := f.WriteString(generate())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path) // a half-written secret must not be read as the secret next time
		return werr
	}
	return nil
}
