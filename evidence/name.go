package evidence

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Names of the two entries a pack writes itself; Add refuses them.
const (
	manifestName  = "manifest.json"
	signatureName = "manifest.sig"
	auditName     = "audit.json"
)

// reservedName reports whether name is one of the entries only Close writes.
func reservedName(name string) bool { return name == manifestName || name == signatureName }

// checkName accepts a relative slash path that stays inside the pack wherever it is unpacked: not
// empty, no backslash (a separator on Windows), not absolute (a leading "/" or a drive letter), no
// ".." or "." element, no empty element (so no leading, trailing or doubled "/"), valid UTF-8 without
// control characters. The error says which rule the name breaks.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case strings.Contains(name, `\`):
		return errors.New("contains a backslash")
	case strings.HasPrefix(name, "/") || hasDriveLetter(name):
		return errors.New("absolute path")
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		return errors.New("not printable UTF-8")
	}
	for elem := range strings.SplitSeq(name, "/") {
		switch elem {
		case "..":
			return errors.New(`contains ".."`)
		case ".", "":
			return errors.New("not a clean relative path")
		}
	}
	return nil
}

// hasDriveLetter reports whether name starts like "C:", which Windows reads as absolute.
func hasDriveLetter(name string) bool {
	if len(name) < 2 || name[1] != ':' {
		return false
	}
	c := name[0] | 0x20 // lower case
	return c >= 'a' && c <= 'z'
}

// isControl reports the C0 controls and DEL, which would act on a terminal that lists the pack.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
