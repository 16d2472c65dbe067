package metrics

import "time"

// at parses an RFC 3339 instant; the fixtures write Vietnamese local time
// as +07:00.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
