// Package transforms turns the text of spreadsheet cells into the values
// an import sends: named transforms (trim, number, date, map, ...), checks
// (required, email, max_length, ...) and expressions over a row's columns
// for where: filters and computed fields. It does no I/O and keeps no
// global state; everything it builds is safe for concurrent use.
//
// A mapping loader builds each piece from the name and argument it decoded
// from YAML, so that
//
//	price: { column: PRIX, transform: [trim, { number: { decimal: "," } }], check: [required, { min: 0 }] }
//
// becomes
//
//	trim, _ := transforms.New("trim", nil)
//	num, err := transforms.New("number", map[string]any{"decimal": ","})
//	chain := transforms.Chain{trim, num}
//	v, err := chain.Apply(transforms.Text("1 234,50")) // "1234.5"
//
// Errors about an argument are *ArgError values naming the option at fault
// (Key, Index) so that the loader can point at it; errors about a cell's
// value name the transform and quote the value, for the run's error report.
//
// # Values
//
// A Value is a text or a list of texts. Cells are texts; split makes a
// list; join makes a text again. Transforms that work on a text are applied
// to each item of a list, and checks check each item. An empty cell stays
// empty through every transform except default and bool with empty:;
// use the required check to refuse it.
//
// # Transforms
//
// The argument shapes, in YAML:
//
//	trim                       remove white space at both ends, including non-breaking
//	                           and zero-width spaces
//	lower, upper               change case
//	title                      "ÉLODIE DUPRÉ" → "Élodie Dupré"; { title: nl } for a language's rules
//	squash                     trim, and collapse each run of white space (including
//	                           non-breaking spaces and line breaks) into one space
//	{ default: "N/A" }         the value to use when the cell is empty or blank
//	{ replace: { pattern: '[^0-9+]', with: "" } }
//	                           regular expression (Go syntax), every match replaced;
//	                           with may refer to groups as $1 or ${name}
//	{ split: ";" }             text → list; items are trimmed, empty items dropped
//	{ join: ", " }             list → text, skipping blank items
//	{ map: { A: active, I: inactive } }
//	{ map: { values: {...}, strict: true, ignore_case: true } }
//	{ map: { values: {...}, default: other } }
//	                           lookup table on the trimmed value; an unknown value is
//	                           kept, or replaced by default, or an error when strict;
//	                           empty cells are kept unless the table has a "" entry
//	number                     a number, written canonically: "1234.5", "-0.25", "12"
//	{ number: "," }            same, with "," as the decimal separator
//	{ number: { decimal: ",", thousands: " " } }
//	{ integer: { round: true } }
//	                           like number, but refuses a fractional part unless
//	                           round: true (halves away from zero)
//	bool                       yes/no words → "true" / "false"
//	{ bool: { true_values: [Actif], false_values: [Inactif], empty: false } }
//	{ date: "dd/MM/yyyy" }
//	{ date: ["dd/MM/yyyy HH:mm", "dd/MM/yyyy"] }
//	{ date: { layout: "MM/dd/yyyy", output: "yyyy-MM-dd", timezone: Europe/Paris,
//	          input_timezone: UTC } }
//
// Numbers. The text is read exactly, never through a float, so
// "0.1" stays "0.1" and long numbers keep every digit. An optional sign
// ("+", "-" or "−") comes first; "1.5E3"-style exponents are read. decimal
// is "," or "."; thousands is " " (also matching non-breaking and narrow
// non-breaking spaces), ".", ",", "'" or "none". Thousands separators must
// separate groups of three digits. Without options: spaces and apostrophes
// group thousands; when both "." and "," appear the last one is the decimal
// separator ("1.234,50", "1,234.50"); a separator appearing several times
// groups thousands ("1.234.567"); a single "." or "," is the decimal
// separator — except that one to three digits, a separator and exactly
// three digits ("1.234", "12,500") are refused as ambiguous: set decimal:
// for such columns. Currency signs, percent signs and other text are
// refused. Values beyond float64's range are refused, so every accepted
// number reads with strconv.ParseFloat.
//
// Booleans. Words are compared without regard to case or surrounding
// spaces. True: true, yes, y, oui, o, si, sí, vrai, 1, x, on. False: false,
// no, n, non, faux, 0, off. true_values and false_values replace these
// lists. "x" is true because a cross marks a ticked box; an empty cell stays
// empty (the field is not set) unless empty: false or empty: true says what
// it means.
//
// Dates. A layout is a pattern of Java/Excel letters, a Go layout (any
// layout holding a digit, such as "02/01/2006"), or "excel" for spreadsheet
// serial day numbers (45356.5 is 2024-03-05 12:00). Pattern letters:
//
//	yyyy  four-digit year        yy  two-digit year: 00–68 → 2000–2068, 69–99 → 1969–1999
//	MM, M month number (1 or 2 digits either way)
//	MMM, MMMM  month name or abbreviation in English, French or Spanish
//	           ("Mar", "févr.", "décembre", "dic"); output in English
//	dd, d day (1 or 2 digits)     HH, H  hour 0–23     hh, h  hour 1–12, with a
//	mm, m minutes                 ss, s  seconds       S…  fraction of a second
//	a     AM or PM                XXX, XX, X, Z  UTC offset (+01:00, +0100, +01, Z)
//	'T'   quoted literal text; '' is a quote. Other characters match themselves,
//	      and a space matches any run of white space.
//
// When reading, numeric fields take one or two digits whatever the letter
// count (so "dd/MM/yyyy" reads "5/3/2024"), except when two numeric fields
// touch ("yyyyMMdd"). Layouts are tried in order; then ISO forms are always
// accepted, as spreadsheet readers produce them: 2024-03-05,
// 2024-03-05 14:30, 2024-03-05 14:30:00, the same with "T", with a fraction
// of a second and with an offset (RFC 3339). Impossible dates
// (31/02/2024) are refused. The output is APIDateLayout
// ("yyyy-MM-dd HH:mm:ss") unless output: gives a pattern or a Go layout.
// Times without an offset are read in input_timezone, or else timezone,
// or else UTC; when timezone is set, the result is converted to it. Without
// any time zone option, a time is written as read, offset or not.
//
// # Checks
//
// Checks run after the transforms. Empty values pass every check but
// required.
//
//	required                   the value is neither blank nor an empty list
//	email                      a bare address (no display name, no <>), with a dot in
//	                           its domain, as net/mail reads it
//	{ regex: '[A-Z]{3}-\d+' }  the whole value matches (Go syntax)
//	{ regex: { pattern: '\d{5}', message: "a postcode has 5 digits" } }
//	{ one_of: [red, green] }   the value is one of the list
//	{ one_of: { values: [red, green], ignore_case: true } }
//	{ max_length: 50 }         at most 50 characters (not bytes); min_length too
//	{ min: 0 }, { max: 100 }   the value read as a number (as by number without
//	                           options) is at least / at most the limit
//
// # Expressions
//
// NewFilter compiles a where: condition and NewExpr an expr: value, in the
// language of github.com/expr-lang/expr, over the columns of the source's
// header. Every cell is a text. A column is read
//
//   - by its name, when the header is an identifier: CITY, Société, code_postal;
//   - with col("Code postal"), for any header;
//   - with row["Code postal"] or row.CITY.
//
// _row is the row's number, an integer, as Filter.Match and Expr.Eval are
// given it (the pipeline gives the row a spreadsheet shows: readers.Row.Num):
//
//	_row > 1000                        a where: for the rows below row 1000
//	"ROW-" + string(_row)              an expr: value, "ROW-1234"
//	concat(CODE, "-", _row)            numbers join texts in concat and join
//
// A column named _row, as an errors file has, never hides it: col("_row")
// and row["_row"] are compile-time errors, and such a column cannot be read.
//
// A column whose name is also a function's (a column called "date") is read
// by its bare name, and date(...) still calls the function. Unknown names
// are compile-time errors (*ExprError, with the line and column within the
// expression) listing the columns with a "did you mean" suggestion.
//
// Functions (besides expr's builtins such as len, split, upper, lower,
// hasPrefix, first, now):
//
//	trim(s)                    like the transform
//	title(s), squash(s)        like the transforms
//	concat(a, b, ...)          the parts (texts or numbers) end to end
//	join(sep, a, b, ...)       the non-blank parts (texts, numbers or lists) joined with
//	                           sep: join(", ", STREET, ZIP + " " + CITY);
//	                           join(list, sep) works too
//	coalesce(a, b, ...)        the first non-blank part, or ""
//	number(s), number(s, ",")  the number in s, as a float64, for arithmetic and
//	                           comparisons; an empty or malformed s is an error for the row.
//	                           Results are written with 15 significant digits (integers
//	                           exactly), so number("0.1") * 3 gives "0.3"
//	date(s, layout, ...)       s read with the layouts (and ISO forms), written as
//	                           "yyyy-MM-dd HH:mm:ss" — such texts compare in date order:
//	                           date(CREATED, "dd/MM/yyyy") >= "2024-01-01"; "" for a blank s
//	replace(s, pattern, with)  regular-expression replacement, as the transform
//
// and the operators of expr, among them ==, !=, <, and, or, not, in,
// contains, startsWith, endsWith, matches (a regular expression found
// anywhere in the text; anchor it with ^ and $ to match the whole), the
// conditional a ? b : c, and + to concatenate texts.
//
// An expr: value's result is converted for the payload: a text as is, a
// number as the number transform writes it, true/false, nil as "", a time
// in APIDateLayout, and a list (from split) as a list.
package transforms
