package hive

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// errTimestamp marks a timestamp that is not a number of seconds.
var errTimestamp = errors.New("timestamp")

// unixTime is the wire form of every Hive timestamp: whole seconds since the Unix epoch. Public types
// carry time.Time; their (Un)MarshalJSON methods point a unixTime at each time field.
type unixTime time.Time

// MarshalJSON writes seconds since the epoch.
func (u unixTime) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, time.Time(u).Unix(), 10), nil
}

// UnmarshalJSON reads seconds since the epoch. A fractional value is accepted (and truncated to the
// millisecond); anything that is not a number is an error.
func (u *unixTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*u = unixTime{}
		return nil
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*u = unixTime(time.Unix(n, 0).UTC())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != f || f > 1e15 || f < -1e15 {
		return fmt.Errorf("%w: want seconds since the epoch", errTimestamp) // not the value: errors are logged
	}
	*u = unixTime(time.UnixMilli(int64(f * 1000)).UTC())
	return nil
}
