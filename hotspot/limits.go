package hotspot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a user or a file may write: every text field has one, so
// no name, note or reference can grow the database, the live feed and every
// open map without bound (a 900 KB hotspot name was once stored and
// broadcast). Lengths are in bytes of UTF-8 (a Vietnamese letter takes 2 or
// 3), checked by CheckText; the API, the importer and the CLI name the same
// numbers.
const (
	MaxRef      = 64   // a hotspot's, incident's, tip's or camera's reference
	MaxName     = 200  // a hotspot's or an area's name
	MaxNote     = 2000 // a lifecycle event's note
	MaxAreaCode = 32   // an area code (see ValidAreaCode)
	MaxUserName = 63   // a user name (the users table's CHECK)
	MaxPassword = 1024 // a password: longer ones are refused before hashing
	MaxSiteID   = 64   // a planning candidate site's id
)

// areaCodeRE is what an area code may look like: letters, digits and . _ -
// after a letter or digit. Area codes end up in CSV files, file names and
// URLs; one beginning with = + - @ would be a formula in a spreadsheet.
var areaCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ValidAreaCode checks an area code: 1–MaxAreaCode letters, digits, '.',
// '_' or '-', beginning with a letter or digit.
func ValidAreaCode(field, code string) error {
	if code == "" {
		return Invalid(field, "is empty")
	}
	if len(code) > MaxAreaCode || !areaCodeRE.MatchString(code) {
		return Invalid(field, "%q is not an area code (1–%d letters, digits, '.', '_' or '-', beginning with a letter or digit)", truncated(code), MaxAreaCode)
	}
	return nil
}

// CheckText checks a free-text field: valid UTF-8, at most max bytes, and
// no control characters but line breaks and tabs (allowed in notes only:
// multiline).
func CheckText(field, value string, max int, multiline bool) error {
	if len(value) > max {
		return Invalid(field, "is %d bytes long; at most %d", len(value), max)
	}
	if !utf8.ValidString(value) {
		return Invalid(field, "is not valid UTF-8")
	}
	for _, r := range value {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return Invalid(field, "contains the control character %U", r)
		}
	}
	return nil
}

// truncated shortens a value quoted in an error message.
func truncated(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}
