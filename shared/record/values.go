package record

import (
	"fmt"
	"sync"
	"time"
)

// DateLayout is the ISO 8601 calendar date layout of [Date].
const DateLayout = "2006-01-02"

// The years a date or instant may fall in: wide enough for any pet's birth
// and any booking, narrow enough to catch a mistyped year.
const (
	MinYear = 1900
	MaxYear = 2199
)

// Date is a calendar date with no time of day or zone, written as ISO 8601
// "2006-01-02". The zero value "" means no date. A Date may hold text that is
// not a date (what a person typed); [Validate] reports it.
type Date string

// ParseDate parses an ISO date such as "2024-03-09".
func ParseDate(s string) (Date, error) {
	if _, err := time.Parse(DateLayout, s); err != nil || len(s) != len(DateLayout) {
		return "", fmt.Errorf("%q is not a date (use YYYY-MM-DD)", s)
	}
	return Date(s), nil
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date { return Date(t.Format(DateLayout)) }

// String returns the date as stored.
func (d Date) String() string { return string(d) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == "" }

// Valid reports whether d is a well-formed date (the zero date is not).
func (d Date) Valid() bool {
	_, err := ParseDate(string(d))
	return err == nil
}

// Time returns midnight UTC of d, or the zero time if d is not a valid date.
func (d Date) Time() time.Time {
	t, err := time.Parse(DateLayout, string(d))
	if err != nil || len(d) != len(DateLayout) {
		return time.Time{}
	}
	return t
}

// Instant is a moment with the IANA time zone it happened in or is booked
// for ("Europe/London"), so a booking reads as the same wall-clock time
// wherever it is viewed, across daylight-saving changes. The zero value means
// no instant.
type Instant struct {
	_         struct{} `cbor:",toarray"`
	UnixMilli int64
	Zone      string
}

// InstantOf returns t as an Instant in t's location, which must be an IANA
// zone loaded with time.LoadLocation (time.Local is named "Local", which
// [Validate] refuses).
func InstantOf(t time.Time) Instant {
	return Instant{UnixMilli: t.UnixMilli(), Zone: t.Location().String()}
}

// IsZero reports whether i is unset.
func (i Instant) IsZero() bool { return i.UnixMilli == 0 && i.Zone == "" }

// Time returns i in its zone, or in UTC if the zone is unknown.
func (i Instant) Time() time.Time {
	t := time.UnixMilli(i.UnixMilli)
	if loc, err := LoadZone(i.Zone); err == nil {
		return t.In(loc)
	}
	return t.UTC()
}

func (i Instant) String() string {
	if i.IsZero() {
		return ""
	}
	return i.Time().Format("2006-01-02T15:04:05.000Z07:00") + " " + i.Zone
}

// Money is an exact amount: integer minor units (pence, cents) of an ISO 4217
// currency ("GBP"). Amounts are never floating point. The zero value means
// no amount.
type Money struct {
	_        struct{} `cbor:",toarray"`
	Minor    int64
	Currency string
}

// IsZero reports whether m is unset.
func (m Money) IsZero() bool { return m.Minor == 0 && m.Currency == "" }

// validCurrency checks the shape of an ISO 4217 code, not the list: the list
// changes, and an old tablet must not refuse a new currency.
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := range 3 {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// zones caches loaded locations by name: time.LoadLocation reads and parses
// the zone data on every call. Only names that loaded are cached, and there
// are a few hundred of those, so hostile input cannot grow the cache.
var zones sync.Map // string -> *time.Location

// loadZone reads a zone's rules: from the system's zoneinfo files, or
// where there are none (wasm in a browser) from what SetZoneLoader set.
var loadZone = time.LoadLocation

// SetZoneLoader makes LoadZone read zones with load, for a program with no
// zoneinfo files, which would otherwise know no zone but UTC: the app
// reads the browser's. Call it before any zone is loaded.
func SetZoneLoader(load func(name string) (*time.Location, error)) {
	loadZone = load
}

// LoadZone returns the location of an IANA time zone name as records hold
// it ("Europe/London"). It refuses "" and "Local", which would load as UTC
// and as the device's own zone, and anything shaped like a file path.
func LoadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	// "" and "Local" load (as UTC and the device's zone) but are not IANA
	// names: the same record must read the same on every device.
	if name == "" || name == "Local" || len(name) > 64 || !zoneShape(name) {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	l, err := loadZone(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	zones.Store(name, l)
	return l, nil
}

// zoneShape accepts the characters of IANA zone names ("America/Port-au-Prince",
// "Etc/GMT+5") and refuses paths, which LoadLocation would otherwise try to open.
func zoneShape(name string) bool {
	if name[0] == '/' || name[0] == '.' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '/', c == '_', c == '-', c == '+':
		default:
			return false
		}
	}
	return true
}

var (
	minInstant = time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	maxInstant = time.Date(MaxYear+1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
)
