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
	s := probe().Invoke(name)
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

// probe is the function, in the browser, that finds a zone's periods; it
// runs there whole because each question asked from Go would cost a trip
// across the wasm boundary, and a zone takes thousands of them.
var probe = sync.OnceValue(func() js.Value { return js.Global().Call("eval", script) })

// script samples the offset every 14 days (no offset in the database
// lasts less) and finds each change to the second by bisection. An
// abbreviation is the browser's English one where it has a name for the
// offset ("BST", "EST"), else the offset itself ("+0530"), as Go's own
// database writes it.
const script = `(function () {
	const start = Date.UTC(1900, 0, 1) / 1000, end = Date.UTC(2200, 0, 1) / 1000, step = 14 * 86400;
	return function (name) {
		let f, short;
		try {
			f = new Intl.DateTimeFormat("en-US", {timeZone: name, hourCycle: "h23",
				year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric"});
			short = ["en-US", "en-GB"].map(l => new Intl.DateTimeFormat(l, {timeZone: name, timeZoneName: "short"}));
		} catch (e) {
			return "";
		}
		const r = f.resolvedOptions().timeZone;
		if (r !== name && r.toLowerCase() === name.toLowerCase()) return "";
		const offset = t => {
			const v = {};
			for (const p of f.formatToParts(t * 1000)) v[p.type] = p.value;
			return Date.UTC(+v.year, v.month - 1, +v.day, +v.hour, +v.minute, +v.second) / 1000 - t;
		};
		const abbr = (t, o) => {
			for (const g of short) {
				const p = g.formatToParts(t * 1000).find(p => p.type === "timeZoneName");
				const s = p ? p.value : "";
				if (/^[A-Z]{3,5}$/.test(s) && (o === 0 || (s !== "GMT" && s !== "UTC"))) return s;
			}
			const a = Math.abs(o), h = Math.floor(a / 3600), m = Math.floor(a % 3600 / 60);
			return (o < 0 ? "-" : "+") + String(h).padStart(2, "0") + (m ? String(m).padStart(2, "0") : "");
		};
		let t = start, o = offset(t);
		const out = [t + " " + o + " " + abbr(t, o)];
		while (t < end) {
			const n = Math.min(t + step, end);
			if (offset(n) === o) {
				t = n;
				continue;
			}
			let lo = t, hi = n;
			while (hi - lo > 1) {
				const mid = Math.floor((lo + hi) / 2);
				if (offset(mid) === o) lo = mid; else hi = mid;
			}
			t = hi;
			o = offset(t);
			out.push(t + " " + o + " " + abbr(t, o));
		}
		return out.join(";");
	};
})()`
