//go:build !js

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axePath is axe-core as `npm ci --prefix app/e2e` installs it (make test
// does), pinned by app/e2e/package-lock.json.
const axePath = "node_modules/axe-core/axe.min.js"

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(axePath)
	if err != nil {
		return "", fmt.Errorf("read axe-core (run `npm ci --prefix app/e2e`, as make test does): %w", err)
	}
	return string(b), nil
})

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v axeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// axe runs axe-core's WCAG 2 A and AA rules on the page as it is now and
// returns what it found.
func (b *browser) axe() []axeViolation {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatal(err)
	}
	const run = `(async () => {
		const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]});
		return JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))})));
	})()`
	var out string
	b.run("axe-core", 30*time.Second,
		chromedp.Evaluate(`if (!window.axe) { `+src+` }`, nil),
		chromedp.Evaluate(run, &out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		b.t.Fatalf("axe-core result: %v", err)
	}
	return vs
}

// checkAxe fails the test for critical and serious violations and logs
// the rest.
func (b *browser) checkAxe(screen string) {
	b.t.Helper()
	for _, v := range b.axe() {
		if v.Impact == "critical" || v.Impact == "serious" {
			b.t.Errorf("%s: axe-core: %s", screen, v)
		} else {
			b.t.Logf("%s: axe-core: %s", screen, v)
		}
	}
}
