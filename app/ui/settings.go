package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
	"pawfile/shared/loyalty"
	"pawfile/shared/record"
	"pawfile/shared/remind"
)

// settingsScreen is the owner's business settings: the currency and the
// way amounts are written on every screen, the loyalty discount ("every
// 6th groom at 20% off", applied to the invoice of the visit that earns
// it) and the reminder messages the Reminders screen sends, each with a
// preview filled with sample values and a reset to the default. Other
// roles read them; only the owner's screen changes them.
//
// The screen follows the owner's other devices as the retention policy
// does (follow): what is not touched here takes their change in place,
// what was changed on both is held for the owner to choose, and each Save
// writes only what was changed against what the screen showed (rule,
// shown, moneyShown: its base, kept up to date as it follows).
type settingsScreen struct {
	app.Compo
	every, percent string                    // the loyalty form, as typed
	rule           loyalty.Rule              // as the form opened on it, last saved or followed it
	templates      session.ReminderTemplates // as typed, "" replaced by the default
	shown          session.ReminderTemplates // as the form opened on them, last saved or followed them
	money          session.Money             // as chosen
	moneyShown     session.Money             // as the form opened on it, last saved or followed it
	clashes        []conflict                // fields changed here and on another device since the base
	stop           func()
	moneyErr       string
	moneySaved     string
	loyaltyErr     string
	loyaltySaved   string
	templatesErr   string
	templatesSaved string
	loaded         bool
}

func (s *settingsScreen) OnMount(ctx app.Context) {
	s.stop = live(ctx, func(app.Context) {
		if s.loaded {
			s.follow()
		}
	})
}

func (s *settingsScreen) OnDismount() {
	if s.stop != nil {
		s.stop()
	}
}

// shownMoney is how the workspace writes amounts, with the currency they
// are in when none is set: the screen shows it so, and a base holding it
// stays what the screen showed when a currency is set elsewhere.
func shownMoney() session.Money {
	m := current.Money()
	m.Currency = current.Currency()
	return m
}

// shownSettings is the settings as the screen shows them, in the fields of
// the settings record (for follow): a currency not set reads as the one
// amounts are in, a loyalty rule that is off as 0 and 0, a message not set
// as the default.
func shownSettings(m session.Money, r loyalty.Rule, ts session.ReminderTemplates) record.Settings {
	if !r.On() {
		r = loyalty.Rule{}
	}
	return record.Settings{
		Currency: cmpOr(m.Currency, current.Currency()), NumberStyle: m.NumberStyle,
		LoyaltyEvery: r.Every, LoyaltyPercent: r.PercentOff,
		TemplateAppointment: remind.Template(remind.Appointment, ts[remind.Appointment]),
		TemplateDueAgain:    remind.Template(remind.DueAgain, ts[remind.DueAgain]),
		TemplateVaccination: remind.Template(remind.Vaccination, ts[remind.Vaccination]),
	}
}

// typedSettings is the form as typed; false while a loyalty number does
// not read.
func (s *settingsScreen) typedSettings() (record.Settings, bool) {
	every, err1 := strconv.ParseInt(strings.TrimSpace(s.every), 10, 64)
	percent, err2 := strconv.ParseInt(strings.TrimSpace(s.percent), 10, 64)
	return record.Settings{
		Currency: s.money.Currency, NumberStyle: s.money.NumberStyle,
		LoyaltyEvery: every, LoyaltyPercent: percent,
		TemplateAppointment: s.templates[remind.Appointment],
		TemplateDueAgain:    s.templates[remind.DueAgain],
		TemplateVaccination: s.templates[remind.Vaccination],
	}, err1 == nil && err2 == nil
}

// follow brings the open screen up to date with the owner's other
// devices, as the retention policy does: a setting not touched here takes
// their value in the form and in the base its Save compares with; one
// changed here to what they saved is theirs already; one changed on both
// is held in clashes. While a loyalty number does not read (half typed),
// it waits: the next change or the save brings it up to date.
func (s *settingsScreen) follow() {
	s.clashes = nil
	typed, ok := s.typedSettings()
	if !ok || current.Role() != access.Owner {
		return
	}
	money, rule, ts := current.Money(), current.LoyaltyRule(), current.ReminderTemplates()
	base, now := shownSettings(s.moneyShown, s.rule, s.shown), shownSettings(money, rule, ts)
	form := typed
	updated, clashes := follow(&base, &form, &now)
	for i := range clashes {
		clashes[i].by = current.WrittenBy(record.TypeSettings, record.SettingsID, clashes[i].field.Name)
	}
	s.clashes = clashes
	s.settle(base, now, money, rule, ts)
	for _, f := range updated {
		switch f.Name {
		case "currency", "number_style":
			s.money, s.moneySaved = session.Money{Currency: form.Currency, NumberStyle: form.NumberStyle}, ""
		case "loyalty_every", "loyalty_percent":
			s.every, s.percent, s.loyaltySaved = strconv.FormatInt(form.LoyaltyEvery, 10), strconv.FormatInt(form.LoyaltyPercent, 10), ""
		default:
			s.templates, s.templatesSaved = session.ReminderTemplates{
				remind.Appointment: form.TemplateAppointment, remind.DueAgain: form.TemplateDueAgain, remind.Vaccination: form.TemplateVaccination,
			}, ""
		}
	}
}

// settle takes into the screen's bases each setting whose shown base
// (after follow or resolveClash) is now's: the screen has shown it. now
// is money, rule and ts as the screen shows them.
func (s *settingsScreen) settle(base, now record.Settings, money session.Money, rule loyalty.Rule, ts session.ReminderTemplates) {
	if base.Currency == now.Currency {
		s.moneyShown.Currency = now.Currency
	}
	if base.NumberStyle == now.NumberStyle {
		s.moneyShown.NumberStyle = money.NumberStyle
	}
	if base.LoyaltyEvery == now.LoyaltyEvery {
		s.rule.Every = rule.Every
	}
	if base.LoyaltyPercent == now.LoyaltyPercent {
		s.rule.PercentOff = rule.PercentOff
	}
	if base.TemplateAppointment == now.TemplateAppointment {
		s.shown[remind.Appointment] = ts[remind.Appointment]
	}
	if base.TemplateDueAgain == now.TemplateDueAgain {
		s.shown[remind.DueAgain] = ts[remind.DueAgain]
	}
	if base.TemplateVaccination == now.TemplateVaccination {
		s.shown[remind.Vaccination] = ts[remind.Vaccination]
	}
}

// resolve keeps this screen's value of the setting named by the button's
// value (mine) or takes the other device's (theirs).
func (s *settingsScreen) resolve(mine bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		typed, ok := s.typedSettings()
		if !ok {
			s.loyaltyErr = "Enter whole numbers, e.g. every 6 grooms at 20% off; 0 grooms for no loyalty discount."
			return
		}
		money, rule, ts := current.Money(), current.LoyaltyRule(), current.ReminderTemplates()
		base, form := shownSettings(s.moneyShown, s.rule, s.shown), typed
		resolveClash(s.clashes, ctx.JSSrc().Get("value").String(), mine, &base, &form)
		s.settle(base, shownSettings(money, rule, ts), money, rule, ts)
		s.money = session.Money{Currency: form.Currency, NumberStyle: form.NumberStyle}
		s.every, s.percent = strconv.FormatInt(form.LoyaltyEvery, 10), strconv.FormatInt(form.LoyaltyPercent, 10)
		s.templates = session.ReminderTemplates{remind.Appointment: form.TemplateAppointment, remind.DueAgain: form.TemplateDueAgain, remind.Vaccination: form.TemplateVaccination}
		s.follow()
		for _, msg := range []*string{&s.moneyErr, &s.loyaltyErr, &s.templatesErr} {
			if len(s.clashes) == 0 && *msg == clashMessage {
				*msg = "" // all settled: Save goes through now
			}
		}
	}
}

// clashesOf are the clashes among the settings fields names.
func (s *settingsScreen) clashesOf(names ...string) []conflict {
	var cs []conflict
	for _, c := range s.clashes {
		if slices.Contains(names, c.field.Name) {
			cs = append(cs, c)
		}
	}
	return cs
}

var (
	moneyFields    = []string{"currency", "number_style"}
	loyaltyFields  = []string{"loyalty_every", "loyalty_percent"}
	templateFields = []string{"template_appointment", "template_due_again", "template_vaccination"}
)

func (s *settingsScreen) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	s.moneyShown = shownMoney()
	s.money = s.moneyShown
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
	s.clashes = nil
	s.loaded = true
}

func (s *settingsScreen) saveMoney(ctx app.Context, e app.Event) {
	e.PreventDefault()
	s.moneyErr, s.moneySaved = "", ""
	if s.follow(); len(s.clashesOf(moneyFields...)) > 0 {
		s.moneyErr = clashMessage
		return
	}
	s.money.Currency = strings.ToUpper(strings.TrimSpace(s.money.Currency))
	if err := current.SetMoney(context.Background(), &s.moneyShown, s.money); err != nil {
		s.moneyErr = errText(err) + "."
		return
	}
	s.moneyShown = shownMoney()
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
		clashNotes(s.clashesOf(moneyFields...), s.resolve), // beside Save, where the person goes next
		note(s.moneySaved),
		failed,
		app.Div().Class("actions").Body(app.Button().Class("primary").Type("submit").Text("Save money settings")),
	)
}

func (s *settingsScreen) saveLoyalty(ctx app.Context, e app.Event) {
	e.PreventDefault()
	s.loyaltyErr, s.loyaltySaved = "", ""
	if s.follow(); len(s.clashesOf(loyaltyFields...)) > 0 {
		s.loyaltyErr = clashMessage
		return
	}
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
	if s.follow(); len(s.clashesOf(templateFields...)) > 0 {
		s.templatesErr = clashMessage
		return
	}
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
			clashNotes(s.clashesOf(loyaltyFields...), s.resolve),
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
			clashNotes(s.clashesOf(templateFields...), s.resolve),
			note(s.templatesSaved),
			templatesFailed,
			app.Div().Class("actions").Body(app.Button().Class("primary").Type("submit").Text("Save messages")),
		),
	}}
}
