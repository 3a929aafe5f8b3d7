package transforms_test

import (
	"fmt"

	"github.com/stbulk/stbulk/transforms"
)

func ExampleNew() {
	num, err := transforms.New("number", map[string]any{"decimal": ","})
	if err != nil {
		panic(err)
	}
	for _, cell := range []string{"1 234,50", "1.234,50", "-3,5", "12 %"} {
		v, err := num.Apply(transforms.Text(cell))
		fmt.Printf("%q %v\n", v, err)
	}
	_, err = transforms.New("number", map[string]any{"decimal": ";"})
	fmt.Println(err)
	// Output:
	// "1234.5" <nil>
	// "1234.5" <nil>
	// "-3.5" <nil>
	// "" number: "12 %" is not a number (unexpected '%')
	// number: decimal separator must be "," or ".", got ";"
}

func ExampleChain() {
	split, _ := transforms.New("split", ";")
	lower, _ := transforms.New("lower", nil)
	sector, _ := transforms.New("map", map[string]any{"nord": "north", "sud": "south"})
	chain := transforms.Chain{split, lower, sector}

	v, err := chain.Apply(transforms.Text(" VIP ; Nord;;"))
	fmt.Println(v.IsList(), v.Items(), err)
	// Output: true [vip north] <nil>
}

func ExampleNew_date() {
	date, _ := transforms.New("date", map[string]any{
		"layout":   []any{"dd/MM/yyyy HH:mm", "dd/MM/yyyy"},
		"timezone": "Europe/Paris",
	})
	for _, cell := range []string{"05/03/2024 14:30", "5/3/2024", "2024-07-01T12:00:00Z", "31/02/2024"} {
		v, err := date.Apply(transforms.Text(cell))
		fmt.Printf("%q %v\n", v, err)
	}
	// Output:
	// "2024-03-05 14:30:00" <nil>
	// "2024-03-05 00:00:00" <nil>
	// "2024-07-01 14:00:00" <nil>
	// "" date: "31/02/2024" does not match "dd/MM/yyyy HH:mm" or "dd/MM/yyyy" (February 2024 has no day 31)
}

func ExampleNewCheck() {
	maxLen, _ := transforms.NewCheck("max_length", 10)
	email, _ := transforms.NewCheck("email", nil)
	fmt.Println(maxLen.Check(transforms.Text("Société Générale")))
	fmt.Println(email.Check(transforms.Text("Jean <jean@example.fr>")))
	// Output:
	// max_length 10: value has 16 characters
	// email: "Jean <jean@example.fr>" is not a bare address; keep only "jean@example.fr"
}

func ExampleNewExpr() {
	header := []string{"STREET", "Code postal", "CITY"}
	address, err := transforms.NewExpr(`join(", ", STREET, col("Code postal") + " " + title(CITY))`, header)
	if err != nil {
		panic(err)
	}
	v, err := address.Eval([]string{"12 rue de la Paix", "75002", "PARIS"}, 2)
	fmt.Println(v, err)
	v, err = address.Eval([]string{"", "75002", "PARIS"}, 3)
	fmt.Println(v, err)

	_, err = transforms.NewExpr(`STREET + " " + CITTY`, header)
	fmt.Println(err)
	// Output:
	// 12 rue de la Paix, 75002 Paris <nil>
	// 75002 Paris <nil>
	// 1:16: unknown column "CITTY" (did you mean "CITY"?); columns are STREET, Code postal, CITY
}

func ExampleNewFilter() {
	header := []string{"STATUS", "QTY"}
	where, err := transforms.NewFilter(`STATUS != "closed" && number(QTY) > 0`, header)
	if err != nil {
		panic(err)
	}
	for i, row := range [][]string{{"open", "1,5"}, {"closed", "3"}, {"open", "0"}, {"open", "n/a"}} {
		ok, err := where.Match(row, i+2)
		fmt.Println(ok, err)
	}
	// Output:
	// true <nil>
	// false <nil>
	// false <nil>
	// false number: "n/a" is not a number (unexpected 'n')
}

// An expression reads the row's number as _row, an integer.
func ExampleNewFilter_rowNumber() {
	header := []string{"CODE"}
	where, err := transforms.NewFilter(`_row > 1000`, header)
	if err != nil {
		panic(err)
	}
	ref, err := transforms.NewExpr(`"ROW-" + string(_row)`, header)
	if err != nil {
		panic(err)
	}
	for _, num := range []int{999, 1001} {
		ok, _ := where.Match([]string{"C1"}, num)
		v, _ := ref.Eval([]string{"C1"}, num)
		fmt.Println(num, ok, v)
	}
	// Output:
	// 999 false ROW-999
	// 1001 true ROW-1001
}

func ExampleSuggest() {
	fields := []string{"myId", "name", "address", "contactEmail"}
	fmt.Println(transforms.Suggest("adress", fields))
	fmt.Println(transforms.Suggest("ContactEmail", fields))
	fmt.Printf("%q\n", transforms.Suggest("phone", fields))
	// Output:
	// address
	// contactEmail
	// ""
}
