//go:build js && wasm

package zone

import (
	"fmt"
	"sync"
	"syscall/js"
	"time"
)

// Load returns the zone an IANA name ("Europe/London") names, as the
// browser knows it. The name must be spelled as the browser spells it
// (its case too), so every device reads a record's zone the same way.
func Load(name string) (*time.Location, error) {
	f := probe()
	if f.Type() != js.TypeFunction {
		return nil, fmt.Errorf("time zone %q: the page's script is missing: reload Pawfile", name)
	}
	s := f.Invoke(name)
	if s.Type() != js.TypeString || s.String() == "" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	ps, err := parse(s.String())
	if err != nil {
		return nil, err
	}
	return build(name, ps)
}

// Local returns the name of the browser's own zone, or "" if it does not
// say.
func Local() string {
	name := js.Global().Get("Intl").Call("DateTimeFormat").Call("resolvedOptions").Get("timeZone")
	if name.Type() != js.TypeString {
		return ""
	}
	return name.String()
}

// probe is the function, in the browser, that finds a zone's periods
// (pawfileZone of shared/pagescript, which the page loads): it runs there
// whole because each question asked from Go would cost a trip across the
// wasm boundary, and a zone takes thousands of them.
var probe = sync.OnceValue(func() js.Value { return js.Global().Get("pawfileZone") })
