package ui

import (
	"context"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
	"pawfile/shared/loyalty"
	"pawfile/shared/remind"
)

// settingsScreen is the owner's business settings: the currency and the
// way amounts are written on every screen, the loyalty discount ("every
// 6th groom at 20% off", applied to the invoice of the visit that earns
// it) and the reminder messages the Reminders screen sends, each with a
// preview filled with sample values and a reset to the default. Other
// roles read them; only the owner's screen changes them.
type settingsScreen struct {
	app.Compo
	every, percent string // the loyalty form, as typed
	rule           loyalty.Rule
	templates      session.ReminderTemplates // as typed, "" replaced by the default
	shown          session.ReminderTemplates // as the form opened on them or last saved them
	money          session.Money             // as chosen
	moneyShown     session.Money             // as the form opened on it or last saved it
	moneyErr       string
	moneySaved     string
	loyaltyErr     string
	loyaltySaved   string
	templatesErr   string
	templatesSaved string
	loaded         bool
}

func (s *settingsScreen) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	s.moneyShown = current.Money()
	s.money = s.moneyShown
	if s.money.Currency == "" {
		s.money.Currency = current.Currency()
	}
	s.moneyErr, s.moneySaved = "", ""
	s.rule = current.LoyaltyRule()
	s.every, s.percent = "0", "0"
	if s.rule.On() {
		s.every, s.percent = strconv.FormatInt(s.rule.Every, 10), strconv.FormatInt(s.rule.PercentOff, 10)
	}
	s.shown = current.ReminderTemplates()
	s.templates = session.ReminderTemplates{}
	for _, k := range remind.Kinds {
		s.templates[k] = remind.Template(k, s.shown[k])
	}
	s.loyaltyErr, s.loyaltySaved, s.templatesErr, s.templatesSaved = "", "", "", ""
	s.loaded = true
}

func (s *settingsScreen) saveMoney(ctx app.Context, e app.Event) {
	e.PreventDefault()
	s.moneyErr, s.moneySaved = "", ""
	s.money.Currency = strings.ToUpper(strings.TrimSpace(s.money.Currency))
	if err := current.SetMoney(context.Background(), &s.moneyShown, s.money); err != nil {
		s.moneyErr = errText(err) + "."
		return
	}
	s.moneyShown = current.Money()
	s.moneySaved = "Saved: amounts read " + formatMoney(123450, current.Currency()) + " on every screen, once synced."
}

// moneyForm chooses the workspace's currency and how its amounts are
// written, each style shown with an amount written in it.
func (s *settingsScreen) moneyForm() app.UI {
	style := func(name, label string) app.UI {
		id := "number-style-" + cmpOr(name, "point")
		example := formatMoneyIn(numberStyles[name], 123450, cmpOr(strings.ToUpper(strings.TrimSpace(s.money.Currency)), session.DefaultCurrency))
		return app.Label().Class("check").For(id).Body(
			app.Input().Type("radio").ID(id).Name("number-style").Checked(cmpOr(s.money.NumberStyle, "point") == name).
				OnChange(func(ctx app.Context, e app.Event) { s.money.NumberStyle, s.moneySaved = name, "" }),
			app.Text(example+" ("+label+")"),
		)
	}
	var failed app.UI
	if s.moneyErr != "" {
		failed = app.Div().Class("alert").Attr("role", "alert").Text(s.moneyErr)
	}
	return app.Form().Class("card").Aria("labelledby", "money-title").OnSubmit(s.saveMoney).Body(
		app.H2().ID("money-title").Text("Money"),
		app.P().Class("hint").Text("The currency of new invoices and prices, and how every screen writes amounts. Issued invoices keep their own currency."),
		textField("currency", "Currency", "", "A three-letter code: GBP, EUR, USD, CHF, SEK…", s.money.Currency, func(ctx app.Context, e app.Event) {
			s.money.Currency, s.moneySaved = ctx.JSSrc().Get("value").String(), ""
		}),
		app.FieldSet().Class("checks").Body(
			app.Legend().Text("Amounts are written"),
			style("point", "UK, Ireland, US"),
			style("comma", "Germany, Spain, Italy, the Netherlands"),
			style("space", "France, Scandinavia, Poland"),
			style("apostrophe", "Switzerland"),
		),
		note(s.moneySaved),
		failed,
		app.Div().Class("actions").Body(app.Button().Class("primary").Type("submit").Text("Save money settings")),
	)
}

func (s *settingsScreen) saveLoyalty(ctx app.Context, e app.Event) {
	e.PreventDefault()
	s.loyaltyErr, s.loyaltySaved = "", ""
	every, err1 := strconv.ParseInt(strings.TrimSpace(s.every), 10, 64)
	percent, err2 := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.percent), "%")), 10, 64)
	if err1 != nil || err2 != nil {
		s.loyaltyErr = "Enter whole numbers, e.g. every 6 grooms at 20% off; 0 grooms for no loyalty discount."
		return
	}
	r := loyalty.Rule{Every: every, PercentOff: percent}
	if err := current.SaveLoyaltyRule(context.Background(), &s.rule, r); err != nil {
		s.loyaltyErr = errText(err) + "."
		return
	}
	s.rule = current.LoyaltyRule()
	s.loyaltySaved = "No loyalty discount: saved."
	if s.rule.On() {
		s.loyaltySaved = "Saved: every " + loyalty.Ordinal(s.rule.Every) + " groom is " + strconv.FormatInt(s.rule.PercentOff, 10) +
			"% off, on the invoice made from the finished visit."
	}
}

func (s *settingsScreen) saveTemplates(ctx app.Context, e app.Event) {
	e.PreventDefault()
	s.templatesErr, s.templatesSaved = "", ""
	if err := current.SaveReminderTemplates(context.Background(), &s.shown, s.templates); err != nil {
		s.templatesErr = errText(err) + "."
		return
	}
	s.shown = current.ReminderTemplates()
	s.templatesSaved = "Messages saved; every device's Reminders screen uses them once synced."
}

// template is kind k's message editor: the text, its preview with
// sample values, and a reset to the default.
func (s *settingsScreen) template(k remind.Kind) app.UI {
	id := "template-" + strings.ReplaceAll(string(k), "_", "-")
	hint := "Placeholders: {" + strings.Join(remind.Placeholders[k], "} {") + "}"
	values := map[string]string{"business": cmpOr(current.BusinessName(), "Your business")}
	for n, v := range remind.Sample {
		values[n] = v
	}
	problem := ""
	if err := remind.Check(k, s.templates[k]); err != nil {
		problem = err.Error()
	}
	return app.FieldSet().Class("line", "template").Body(
		app.Legend().Text(k.Label()),
		field(id, "Message", problem, hint, app.Textarea().ID(id).Class("short").Text(s.templates[k]).
			Aria("invalid", problem != "").Aria("describedby", described(id, problem, hint)).
			OnInput(func(ctx app.Context, e app.Event) { s.templates[k] = ctx.JSSrc().Get("value").String() })),
		app.P().Class("preview").ID(id+"-preview").Body(
			app.Strong().Text("Preview: "), app.Text(remind.Render(s.templates[k], values)),
		),
		app.Div().Class("actions").Body(
			app.Button().Type("button").Aria("label", "Reset to default: "+k.Label()).Text("Reset to default").
				OnClick(func(ctx app.Context, e app.Event) { s.templates[k], s.templatesSaved = remind.Defaults[k], "" }),
		),
	)
}

func (s *settingsScreen) Render() app.UI {
	if !s.loaded {
		return opening()
	}
	if current.Role() != access.Owner {
		r := current.LoyaltyRule()
		what := "There is no loyalty discount."
		if r.On() {
			what = "Every " + loyalty.Ordinal(r.Every) + " groom is " + strconv.FormatInt(r.PercentOff, 10) + "% off."
		}
		return &frame{Content: []app.UI{
			app.H1().Text("Business settings"),
			app.P().Text("Amounts are in " + current.Currency() + ", written " + formatMoney(123450, current.Currency()) + ". " + what),
			app.P().Class("empty").Text("Only the owner sets the currency, the loyalty discount and the reminder messages."),
		}}
	}
	var loyaltyFailed, templatesFailed app.UI
	if s.loyaltyErr != "" {
		loyaltyFailed = app.Div().Class("alert").Attr("role", "alert").Text(s.loyaltyErr)
	}
	if s.templatesErr != "" {
		templatesFailed = app.Div().Class("alert").Attr("role", "alert").Text(s.templatesErr)
	}
	return &frame{Content: []app.UI{
		app.H1().Text("Business settings"),
		s.moneyForm(),
		app.Form().Class("card").Aria("labelledby", "loyalty-title").OnSubmit(s.saveLoyalty).Body(
			app.H2().ID("loyalty-title").Text("Loyalty discount"),
			app.P().Class("hint").Text("Counts each client's finished grooms (not cancelled or no-show visits). The invoice made from the visit that earns it gets the discount, with a line saying why; the count then starts again. Each client's card shows how far they are."),
			app.Div().Class("grid3").Body(
				textField("loyalty-every", "Every how many grooms", "", "0: no loyalty discount.", s.every, s.ValueTo(&s.every)),
				textField("loyalty-percent", "Discount (%)", "", "", s.percent, s.ValueTo(&s.percent)),
			),
			note(s.loyaltySaved),
			loyaltyFailed,
			app.Div().Class("actions").Body(app.Button().Class("primary").Type("submit").Text("Save loyalty discount")),
		),
		app.Form().Class("card").Aria("labelledby", "templates-title").OnSubmit(s.saveTemplates).Body(
			app.H2().ID("templates-title").Text("Reminder messages"),
			app.P().Class("hint").Text("What the Reminders screen sends. Placeholders in braces are filled in for each client; the preview shows them with sample values."),
			s.template(remind.Appointment),
			s.template(remind.DueAgain),
			s.template(remind.Vaccination),
			note(s.templatesSaved),
			templatesFailed,
			app.Div().Class("actions").Body(app.Button().Class("primary").Type("submit").Text("Save messages")),
		),
	}}
}
