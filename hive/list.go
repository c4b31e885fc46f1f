package hive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// List is the envelope of every list endpoint: the objects, newest first, and their count.
//
// Decoding leaves out any object that does not decode or breaks its type's rules (a malformed id,
// an unknown status, an implausible timestamp), so one odd object cannot keep the others from the
// console. Only an unreadable envelope fails the whole list.
type List[T any] struct {
	Data []T      `json:"data"`
	Meta ListMeta `json:"meta"`

	skipped []skippedItem // what decoding left out, for the client to log and count
}

// ListMeta is the meta part of a list envelope.
type ListMeta struct {
	// Total is the number of objects in Data. Decoding sets it so: Hive's own count would include
	// the objects left out.
	Total int `json:"total"`
}

// skippedItem is an object of a list's data that decoding left out: its position in Hive's array
// and the reason, which names a field but never holds its value.
type skippedItem struct {
	index int
	err   error
}

// UnmarshalJSON reads {"data": [...], "meta": {...}}, leaving out the objects of data that are not
// fit to use. The envelope must be an object with a data array; its meta must decode.
func (l *List[T]) UnmarshalJSON(b []byte) error {
	*l = List[T]{}
	err := walkList(json.NewDecoder(bytes.NewReader(b)), &l.Meta, func(dec *json.Decoder, i int) error {
		item, err := readItem[T](dec)
		if err != nil {
			var f *invalidField
			if !errors.As(err, &f) {
				return err
			}
			l.skipped = append(l.skipped, skippedItem{index: i, err: err})
			return nil
		}
		l.Data = append(l.Data, item)
		return nil
	})
	if err != nil {
		return err
	}
	l.Meta.Total = len(l.Data)
	return nil
}

// walkList reads a list envelope from dec: it calls item for each element of the data array, with
// the decoder positioned at the element, which item must consume; meta (when not nil) receives the
// envelope's meta. It fails unless the envelope is an object with exactly one data array, closed.
func walkList(dec *json.Decoder, meta *ListMeta, item func(dec *json.Decoder, i int) error) error {
	if !readDelim(dec, '{') {
		return errors.New("list: want an object with a data array")
	}
	sawData := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch {
		case strings.EqualFold(key, "data"): // case-insensitive, as encoding/json matches fields
			if sawData {
				return errors.New("list: data twice")
			}
			sawData = true
			if !readDelim(dec, '[') {
				return errors.New("list: data is not an array")
			}
			for i := 0; dec.More(); i++ {
				at := dec.InputOffset()
				if err := item(dec, i); err != nil {
					return err
				}
				if dec.InputOffset() == at { // the reader failed under the decoder: nothing more will come
					return errors.New("list: reading stopped")
				}
			}
			if !readDelim(dec, ']') {
				return errors.New("list: data is not closed")
			}
		case strings.EqualFold(key, "meta") && meta != nil:
			if err := dec.Decode(meta); err != nil {
				return err
			}
		default:
			var ignored json.RawMessage
			if err := dec.Decode(&ignored); err != nil {
				return err
			}
		}
	}
	if !sawData {
		return errors.New("list: no data array")
	}
	if !readDelim(dec, '}') {
		return errors.New("list: envelope is not closed")
	}
	return nil
}

// readItem decodes the next element of a data array. An element that decodes to the wrong shape or
// breaks its type's rules is an *invalidField error, and the decoder has moved past it; any other
// error is broken JSON, after which nothing more can be read.
func readItem[T any](dec *json.Decoder) (T, error) {
	var item T
	err := dec.Decode(&item)
	if err != nil && !valueConsumed(err) {
		return item, err
	}
	if err != nil {
		err = unreadable(err)
	} else if v, ok := any(&item).(validator); ok {
		err = v.validate()
	}
	return item, err
}

func readDelim(dec *json.Decoder, want json.Delim) bool {
	tok, err := dec.Token()
	return err == nil && tok == want
}

// valueConsumed reports whether a failed Decode still read its whole value, so the next one can
// follow: true for a value of the wrong shape, false for broken JSON.
func valueConsumed(err error) bool {
	var syntax *json.SyntaxError
	return !errors.As(err, &syntax) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
		!errors.Is(err, errTooLarge)
}

// unreadable turns an object's decoding error into a reason that names the field when it can, and
// drops the message, which may quote the value.
func unreadable(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errTimestamp):
		return &invalidField{"timestamp", "not seconds since the epoch"}
	case errors.Is(err, errMetadata):
		return &invalidField{"metadata", "not an object of plain values"}
	case errors.As(err, &typeErr) && fieldName(typeErr.Field) != "":
		return &invalidField{fieldName(typeErr.Field), "wrong type"}
	}
	return &invalidField{"object", "not readable"}
}

// fieldName is the last part of a decoding error's field path ("plain.session_id" → "session_id"),
// or "" unless it is a plain JSON name of this package's types.
func fieldName(path string) string {
	name := path[strings.LastIndexByte(path, '.')+1:]
	for _, r := range name {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_') {
			return ""
		}
	}
	return name
}

// list gets one of Hive's lists. Every object decoding left out is reported: one warning line and
// one count each.
func list[T any](ctx context.Context, c *Client, op, collection string) (*List[T], error) {
	var out List[T]
	r := request{method: http.MethodGet, op: op, url: c.endpoint(collection)}
	if err := c.call(ctx, r, c.maxList, &out); err != nil {
		return nil, err
	}
	for _, s := range out.skipped {
		c.reject(ctx, op, s.index, s.err)
	}
	out.skipped = nil
	return &out, nil
}

// object sends r and decodes the one object Hive answers. An object not fit to use is reported like
// a skipped list item and is a CodeBadResponse error.
func object[T any, P interface {
	*T
	validator
}](ctx context.Context, c *Client, r request) (*T, error) {
	out := new(T)
	if err := c.call(ctx, r, c.maxObject, out); err != nil {
		return nil, err
	}
	if err := P(out).validate(); err != nil {
		c.reject(ctx, r.op, -1, err)
		return nil, &Error{Code: CodeBadResponse, Op: r.op, Message: "Hive sent an object the console cannot use", Err: err}
	}
	return out, nil
}

// reject reports an object Hive sent that the client will not use: a warning with the operation,
// the object's position in a list (index -1: a single object), and which field is wrong and why —
// never a value — and a count through Config.InvalidItem.
func (c *Client) reject(ctx context.Context, op string, index int, err error) {
	attrs := []slog.Attr{slog.String("op", op)}
	if index >= 0 {
		attrs = append(attrs, slog.Int("index", index))
	}
	var f *invalidField
	if errors.As(err, &f) {
		attrs = append(attrs, slog.String("field", f.field), slog.String("reason", f.reason))
	}
	msg := "hive sent an invalid object; it is not used"
	if index >= 0 {
		msg = "hive sent an invalid list item; it is skipped"
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
	if c.invalidItem != nil {
		c.invalidItem(op)
	}
}
