package handlers

import (
	"strings"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/internal/fold"
	"github.com/hiveconsole/hiveconsole/views"
)

// compareWithRecord compares the document with the customer record: names ignoring case and
// accents, the date of birth as a date, gender as its initial. Without a record there is nothing
// to compare.
func compareWithRecord(p hive.DocumentProperties, c *hive.Customer) []views.ComparisonRow {
	if c == nil {
		return nil
	}
	given := strings.TrimSpace(deref(c.FirstName) + " " + deref(c.MiddleName))
	rows := []views.ComparisonRow{
		compareRow("Surname", p.Surname, deref(c.LastName), sameName),
		compareRow("Given names", p.GivenNames, given, sameName),
		compareRow("Date of birth", documentDate(p.DateOfBirth), documentDate(deref(c.DOB)), sameText),
		compareRow("Gender", p.Gender, deref(c.Gender), sameGender),
	}
	return rows
}

func compareRow(field, doc, record string, same func(a, b string) bool) views.ComparisonRow {
	r := views.ComparisonRow{Field: field, Document: doc, Record: record, OnRecord: strings.TrimSpace(record) != ""}
	r.Match = !r.OnRecord || same(doc, record)
	return r
}

func sameText(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }

func sameName(a, b string) bool {
	return strings.Join(strings.Fields(fold.String(a)), " ") == strings.Join(strings.Fields(fold.String(b)), " ")
}

func sameGender(doc, record string) bool {
	d, r := fold.String(doc), fold.String(record)
	return d != "" && r != "" && d[0] == r[0]
}
