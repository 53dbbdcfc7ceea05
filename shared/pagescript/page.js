// Pawfile's page script: the JavaScript of the app's page. The server
// serves it as a script of the page (shared/pagescript), loaded before the
// app; the page's Content-Security-Policy forbids the app to eval code.
"use strict";

// Native navigation is stopped: the browser must not follow a link or post
// a form itself. go-app does both from Go, on its UI goroutine: while that
// goroutine waits (on storage, say) a tap on a link reaches the browser
// first, which loads the page anew, and the app comes back locked with
// what was on screen lost. go-app still does the navigating. It also notes
// whether a service worker controlled the page as it loaded: if not, the
// worker that takes control is the first install, which go-app announces as
// an update; that announcement is dropped before it reaches Go, where it
// would re-render the screen a few seconds after the first load, under the
// person's first taps.
window.pawfileControlled = !!(navigator.serviceWorker && navigator.serviceWorker.controller);
(() => {
  let onUpdate = () => {};
  Object.defineProperty(window, "goappOnUpdate", {
    configurable: true,
    get: () => window.pawfileControlled ? onUpdate : () => {},
    set: f => { onUpdate = f; },
  });
})();
// A link out of the app (tel:, sms:, mailto:, a map) is the browser's to
// follow, and go-app's alone not to see: it would route tel:+44… as a page
// of the app, and open a map twice. So the event goes on to the link's own
// handlers (noting a reminder sent) and stops at the window, before
// go-app's handler there: this listener is added before go-app's, so it
// runs first. Any other link is go-app's to follow, never the browser's.
document.addEventListener("click", e => {
  const a = e.target.closest && e.target.closest("a[href]");
  if (!a || a.origin !== location.origin || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey ||
      a.target === "_blank" || a.hasAttribute("download")) return;
  e.preventDefault();
}, true);
window.addEventListener("click", e => {
  const a = e.target.closest && e.target.closest("a[href]");
  if (a && a.origin !== location.origin) e.stopImmediatePropagation();
});
document.addEventListener("submit", e => e.preventDefault(), true);

// pawfileDrag lets a finger (or a mouse) drag a booking of the calendar's
// day view to another time, in whole slots of slotPx pixels and slotMinutes
// minutes, and to another staff member's column; the browser runs it, so
// the booking follows the finger whatever the app is doing, and
// window.pawfileMove gets the result. A mouse drags a booking from anywhere
// on it; a finger from its grip only, so that a day full of bookings still
// scrolls under a finger. Calls after the first do nothing.
window.pawfileDrag = (slotPx, slotMinutes) => {
  if (window.pawfileDrag.on) return;
  window.pawfileDrag.on = true;
  let d = null, dragged = false;
  const reset = m => { m.b.style.transform = ""; m.b.classList.remove("dragging"); };
  document.addEventListener("pointerdown", e => {
    const b = e.target.closest && e.target.closest(".cal-day .cal-booking");
    if (b && e.button === 0 && (e.pointerType === "mouse" || e.target.closest(".grip"))) d = {b, x: e.clientX, y: e.clientY, on: false};
  });
  document.addEventListener("pointermove", e => {
    if (!d) return;
    const dx = e.clientX - d.x, dy = e.clientY - d.y;
    if (!d.on && Math.hypot(dx, dy) < 10) return;
    if (!d.on) { d.on = true; d.b.setPointerCapture(e.pointerId); d.b.classList.add("dragging"); }
    d.b.style.transform = "translate(" + dx + "px," + Math.round(dy / slotPx) * slotPx + "px)";
  });
  document.addEventListener("pointercancel", () => { if (d) { reset(d); d = null; } });
  document.addEventListener("pointerup", e => {
    const m = d;
    d = null;
    if (!m || !m.on) return;
    reset(m);
    dragged = true;
    setTimeout(() => { dragged = false; }, 0);
    const col = [...document.querySelectorAll(".cal-day .cal-col")].find(c => {
      const r = c.getBoundingClientRect();
      return e.clientX >= r.left && e.clientX < r.right;
    });
    const from = m.b.closest(".cal-col").dataset.staff, to = col ? col.dataset.staff : from;
    const minutes = Math.round((e.clientY - m.y) / slotPx) * slotMinutes;
    if ((minutes !== 0 || to !== from) && window.pawfileMove) window.pawfileMove(m.b.dataset.id, minutes, from, to);
  });
  document.addEventListener("click", e => { if (dragged) { dragged = false; e.preventDefault(); e.stopPropagation(); } }, true);
};

// pawfileZone returns a time zone's periods as the browser knows them, for
// app/zone: it runs here whole because each question asked from Go would
// cost a trip across the wasm boundary, and a zone takes thousands of them.
// It samples the offset every 14 days (no offset in the database lasts
// less) and finds each change to the second by bisection. An abbreviation
// is the browser's English one where it has a name for the offset ("BST",
// "EST"), else the offset itself ("+0530"), as Go's own database writes it.
//
// A zone's periods are kept once found, and the browser's own zone is
// found while the app's code is still compiling: it takes over 100 ms, and
// the app needs it before its first screen.
window.pawfileZone = (() => {
	const start = Date.UTC(1900, 0, 1) / 1000, end = Date.UTC(2200, 0, 1) / 1000, step = 14 * 86400;
	const found = new Map();
	const zone = name => {
		if (!found.has(name)) found.set(name, periods(name));
		return found.get(name);
	};
	// Once the page has loaded: the app's code is on its way by then.
	addEventListener("load", () => setTimeout(() => {
		const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
		if (typeof local === "string") zone(local);
	}, 0));
	return zone;
	function periods(name) {
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
	}
})();
