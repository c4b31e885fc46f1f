// Package apiref gives tests the JSON examples of the Hive API reference, byte for byte as printed
// there. The reference is embedded verbatim; a test keeps the copy identical to shared/'s.
package apiref

import (
	"bufio"
	"bytes"
	_ "embed"
	"regexp"
	"strings"
)

// Text is the Hive API reference, verbatim.
//
//go:embed hive-api-reference.txt
var Text []byte

// Example is one JSON example of the reference.
type Example struct {
	Label string // the line above it: "response", "the customer object", …
	Path  string // the line above the label: the endpoint, for responses
	JSON  []byte // verbatim, which for two list examples means invalid JSON
}

// Example indexes, in the reference's order.
const (
	Token = iota
	CustomerObject
	CustomerCreate
	CustomerList
	CustomerRetrieve
	CustomerUpdate
	CustomerDelete
	SessionObject
	SessionCreate
	SessionList
	SessionRetrieve
	SessionDelete
	CheckObject
	CheckCreate
	CheckList // invalid JSON in the reference: a comma is missing after "}]"
	CheckRetrieve
	Report
	FileObject
	FileList // invalid JSON in the reference: a trailing comma after "total": 1
	FileRetrieve
	Count // how many examples there are
)

var lineNumbers = regexp.MustCompile(`^[0-9]+$`)

// Examples extracts every JSON example. In the reference each one follows a line of concatenated
// line numbers ("0123…") and ends where its braces balance.
func Examples() []Example {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(Text))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	var out []Example
	for i := 1; i+1 < len(lines); i++ {
		if !lineNumbers.MatchString(lines[i]) || !strings.HasPrefix(lines[i+1], "{") {
			continue
		}
		ex := Example{Label: lines[i-1]}
		if i >= 2 {
			ex.Path = lines[i-2]
		}
		var buf bytes.Buffer
		depth := 0
		for j := i + 1; j < len(lines); j++ {
			buf.WriteString(lines[j])
			buf.WriteByte('\n')
			depth += braceDelta(lines[j])
			if depth == 0 {
				i = j
				break
			}
		}
		ex.JSON = buf.Bytes()
		out = append(out, ex)
	}
	return out
}

// braceDelta counts { minus } outside JSON strings.
func braceDelta(line string) int {
	d, inString, escaped := 0, false, false
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && inString:
			escaped = true
		case r == '"':
			inString = !inString
		case r == '{' && !inString:
			d++
		case r == '}' && !inString:
			d--
		}
	}
	return d
}

// Fixed mends the reference's two typos — "}]" followed by a key without a comma, and a trailing
// comma before "}" — so the intended JSON can be compared.
func Fixed(b []byte) []byte {
	s := regexp.MustCompile(`\}\]\s*\n"meta"`).ReplaceAllString(string(b), "}],\n\"meta\"")
	s = regexp.MustCompile(`,\s*\n\}`).ReplaceAllString(s, "\n}")
	return []byte(s)
}

// Curl is one curl example of the reference, as printed (continuation lines joined).
type Curl struct {
	Command string
}

// Curls extracts every "$ curl …" example, joining its backslash-continued lines.
func Curls() []Curl {
	var out []Curl
	var cur []string
	sc := bufio.NewScanner(bytes.NewReader(Text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "$ curl "):
			cur = []string{strings.TrimPrefix(line, "$ ")}
		case cur != nil:
			cur = append(cur, line)
		default:
			continue
		}
		if !strings.HasSuffix(strings.TrimSpace(line), "\\") {
			for i := range cur {
				cur[i] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(cur[i]), "\\"))
			}
			out = append(out, Curl{Command: strings.Join(cur, " ")})
			cur = nil
		}
	}
	return out
}
