package hive

// ValidID reports whether s has the shape of a Hive id: a UUID in its canonical 8-4-4-4-12 hex form.
// Ids are checked before they reach a URL, so a path can never be smuggled through one.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func checkID(op, field, id string) error {
	if ValidID(id) {
		return nil
	}
	return &Error{Code: CodeInvalid, Op: op, Field: field, Message: "not a valid Hive id"}
}
