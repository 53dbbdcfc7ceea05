package record

// Due is where a vaccination stands on a given day.
type Due int

// The states, in the order a due list sorts them.
const (
	DueUnknown Due = iota // no valid expiry date
	DueExpired            // expired before today
	DueSoon               // expires within DueSoonDays
	DueCurrent            // valid for longer
)

// DueSoonDays is how far ahead "expiring soon" looks: a month, time
// enough to ask the owner for proof before the next visit.
const DueSoonDays = 30

func (d Due) String() string {
	switch d {
	case DueExpired:
		return "expired"
	case DueSoon:
		return "expiring soon"
	case DueCurrent:
		return "current"
	}
	return "no expiry date"
}

// DueOn says where a vaccination expiring on expires stands on today. A
// vaccination expiring today is still valid today.
func DueOn(expires, today Date) Due {
	e, t := expires.Time(), today.Time()
	switch {
	case e.IsZero() || t.IsZero():
		return DueUnknown
	case e.Before(t):
		return DueExpired
	case !e.After(t.AddDate(0, 0, DueSoonDays)):
		return DueSoon
	}
	return DueCurrent
}
