package transforms

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// ExprError is a compile-time error in an expression. Line and Column
// (1-based, counted in characters) locate the offending token within the
// expression's text, so that a mapping loader can add them to the position
// of the YAML scalar holding it.
type ExprError struct {
	Line, Column int
	Msg          string
}

// Error returns "line:column: message".
func (e *ExprError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// rowNumber is the name under which an expression reads the row's number,
// an integer: _row > 1000. A column of that name, as in an errors file
// imported again, cannot be read by expressions and never hides it.
const rowNumber = "_row"

// Filter is a compiled `where:` expression: a condition on a row.
// It is safe for concurrent use.
type Filter struct{ p *program }

// NewFilter compiles a condition over rows whose header is columns. The
// expression must give a boolean.
func NewFilter(src string, columns []string) (*Filter, error) {
	p, err := compile(src, columns, expr.AsBool())
	if err != nil {
		return nil, err
	}
	return &Filter{p}, nil
}

// Match reports whether a row satisfies the condition. The row's cells are
// in the order of the columns given to NewFilter (missing cells read as "");
// num is its row number, which the condition reads as _row.
func (f *Filter) Match(row []string, num int) (bool, error) {
	out, err := f.p.run(row, num)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("where: the condition gave %s, not true or false", describeResult(out))
	}
	return b, nil
}

// Columns returns the columns the condition reads, in the order of the header.
func (f *Filter) Columns() []string { return f.p.used() }

// Expr is a compiled `expr:` expression computing a value from a row.
// It is safe for concurrent use.
type Expr struct{ p *program }

// NewExpr compiles an expression over rows whose header is columns.
func NewExpr(src string, columns []string) (*Expr, error) {
	p, err := compile(src, columns)
	if err != nil {
		return nil, err
	}
	return &Expr{p}, nil
}

// Eval computes the value for a row: its cells in the order of the columns
// given to NewExpr, and its row number num, which the expression reads as
// _row. Texts are kept; numbers are written like the number transform's
// output ("1234.5"); booleans as "true"/"false"; nil as ""; times in
// APIDateLayout; lists of texts or numbers become lists.
func (e *Expr) Eval(row []string, num int) (Value, error) {
	out, err := e.p.run(row, num)
	if err != nil {
		return Value{}, err
	}
	switch x := out.(type) {
	case []any:
		items := make([]string, len(x))
		for i, it := range x {
			s, err := resultText(it)
			if err != nil {
				return Value{}, err
			}
			items[i] = s
		}
		return List(items), nil
	case []string:
		return List(x), nil
	}
	s, err := resultText(out)
	if err != nil {
		return Value{}, err
	}
	return Text(s), nil
}

// Columns returns the columns the expression reads, in the order of the header.
func (e *Expr) Columns() []string { return e.p.used() }

func resultText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return formatFloat(x)
	case time.Time:
		return apiLayout.format(x), nil
	}
	return "", fmt.Errorf("expression gave %s, which cannot be a field value", describeResult(v))
}

// formatFloat writes a computed number like the number transform does.
// Integers are written exactly; other numbers with 15 significant digits,
// which hides binary floating-point noise (0.1*3 gives "0.3").
func formatFloat(x float64) (string, error) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "", fmt.Errorf("expression gave %v, not a number", x)
	case x == math.Trunc(x) && math.Abs(x) < 1e21:
		return strconv.FormatFloat(x, 'f', 0, 64), nil
	}
	return parseNumber(strconv.FormatFloat(x, 'g', 15, 64), numberFormat{decimal: '.', thousands: 'n'})
}

func describeResult(v any) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprintf("a value of type %T", v)
}

// Expressions run in a map environment, which expr reads without
// reflection. A column is stored under its name prefixed with a space, a
// key no identifier can spell, so a column never hides a function of the
// same name, nor _row; the resolver rewrites column references into these
// keys. The "Col" entry serves col(x) and row[x] with a computed name; the
// rowNumber entry holds the row number.
// The "step " entry, a key no identifier can spell either, is called once
// at each turn of a closure (all, map, filter, reduce…): it counts the
// operations of an evaluation and stops it past maxOperations.
const (
	cellPrefix = " "
	colName    = "Col"
	stepName   = "step "
)

// maxOperations bounds the work of one evaluation: the turns of its
// closures, all nested loops together. Lists and ranges are bounded apart
// by expr's memory budget (a million items).
const maxOperations = 100_000

var errTooMuchWork = fmt.Errorf("expression stopped: it does more than %d operations", maxOperations)

// program is a compiled expression with a pool of runners.
type program struct {
	prog    *vm.Program
	columns []string       // the header: a row's cells are in its order
	names   []string       // the columns an expression can read, in header order
	index   map[string]int // readable column name → first position in the header
	refs    []bool         // which columns the expression reads
	dynamic bool           // reads columns by computed names
	num     bool           // reads the row number
	load    []int          // the columns to copy into the environment for each row
	keys    []string       // their keys in the environment
	pool    sync.Pool
}

// runner evaluates a program for one goroutine at a time: a VM and an
// environment map reused from row to row.
type runner struct {
	vm    vm.VM
	env   map[string]any
	cells []string
	ops   int // closure turns in the current evaluation
}

func (p *program) newRunner() *runner {
	r := &runner{env: p.environment()}
	r.env[colName] = func(name string) (string, error) {
		i, ok := p.index[name]
		if !ok {
			return "", fmt.Errorf("unknown column %q", name)
		}
		if i < len(r.cells) {
			return r.cells[i], nil
		}
		return "", nil
	}
	r.env[stepName] = func() (bool, error) {
		r.ops++
		if r.ops > maxOperations {
			return false, errTooMuchWork
		}
		return true, nil
	}
	return r
}

// environment returns a map with an empty cell for each column; the
// checker reads the types of the expression's names from it.
func (p *program) environment() map[string]any {
	env := make(map[string]any, len(p.index)+2)
	for name := range p.index {
		env[cellPrefix+name] = ""
	}
	env[colName] = func(string) (string, error) { return "", nil }
	env[rowNumber] = 0
	env[stepName] = func() (bool, error) { return true, nil }
	return env
}

func (p *program) run(row []string, num int) (any, error) {
	r := p.pool.Get().(*runner)
	defer p.pool.Put(r)
	r.cells = row
	r.ops = 0
	if p.num {
		r.env[rowNumber] = num
	}
	for k, i := range p.load {
		v := ""
		if i < len(row) {
			v = row[i]
		}
		r.env[p.keys[k]] = v
	}
	out, err := r.vm.Run(p.prog, r.env)
	r.cells = nil
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			if fe.Prev != nil {
				return nil, fe.Prev
			}
			if fe.Message == "memory budget exceeded" {
				return nil, fmt.Errorf("expression stopped: its lists hold more than %d items", conf.DefaultMemoryBudget)
			}
			return nil, errors.New(fe.Message)
		}
		return nil, err
	}
	return out, nil
}

func (p *program) used() []string {
	if p.dynamic {
		return slices.Clone(p.names)
	}
	var out []string
	for i, ok := range p.refs {
		if ok {
			out = append(out, p.columns[i])
		}
	}
	return out
}

// CheckSyntax checks an expression before the columns of its rows are
// known: its syntax and the functions it calls. Every other name is taken
// for a column; NewFilter and NewExpr check those against a header. The
// error is an *ExprError.
func CheckSyntax(src string) error {
	p := newProgram(nil)
	config := p.config()
	tree, err := parser.ParseWithConfig(src, config)
	if err != nil {
		return fileError(src, err)
	}
	r := &resolver{src: src, p: p, config: config, anyColumn: true}
	r.walk(&tree.Node)
	return r.err
}

func newProgram(columns []string) *program {
	p := &program{columns: columns, index: make(map[string]int, len(columns)), refs: make([]bool, len(columns))}
	for i, c := range columns {
		if c == rowNumber {
			continue
		}
		p.names = append(p.names, c)
		if _, dup := p.index[c]; !dup {
			p.index[c] = i
		}
	}
	return p
}

// config is the compiler's configuration for the program's columns.
func (p *program) config(opts ...expr.Option) *conf.Config {
	config := conf.CreateNew()
	expr.Env(p.environment())(config)
	for _, o := range functionOptions() {
		o(config)
	}
	for _, o := range opts {
		o(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
	}
	config.Check()
	return config
}

// compile parses src, resolves column references, type-checks and compiles
// it. It follows the steps of expr.Compile, with the resolver added between
// parsing and checking.
func compile(src string, columns []string, opts ...expr.Option) (*program, error) {
	p := newProgram(columns)
	config := p.config(opts...)
	tree, err := parser.ParseWithConfig(src, config)
	if err != nil {
		return nil, fileError(src, err)
	}
	r := &resolver{src: src, p: p, config: config}
	r.walk(&tree.Node)
	if r.err != nil {
		return nil, r.err
	}
	if _, err := checker.Check(tree, config); err != nil {
		return nil, fileError(src, err)
	}
	if config.Optimize {
		if err := optimizer.Optimize(&tree.Node, config); err != nil {
			return nil, fileError(src, err)
		}
	}
	prog, err := compiler.Compile(tree, config)
	if err != nil {
		return nil, fileError(src, err)
	}
	p.prog = prog
	for i, used := range p.refs {
		if (used || p.dynamic) && p.index[columns[i]] == i {
			p.load = append(p.load, i)
			p.keys = append(p.keys, cellPrefix+columns[i])
		}
	}
	p.pool.New = func() any { return p.newRunner() }
	return p, nil
}

func fileError(src string, err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return &ExprError{Line: 1, Column: 1, Msg: err.Error()}
	}
	line, col := position(src, fe.From)
	return &ExprError{Line: line, Column: col, Msg: fe.Message}
}

// position converts a character offset into a 1-based line and column.
func position(src string, offset int) (line, col int) {
	line, col = 1, 1
	n := 0
	for _, r := range src {
		if n == offset {
			break
		}
		n++
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// resolver rewrites column references — bare identifiers naming a column,
// col("name") and row["name"] — into reads of the environment's cell keys,
// and reports names that are neither columns, functions nor variables.
type resolver struct {
	src    string
	p      *program
	config *conf.Config
	locals []string
	err    error
	// anyColumn takes every name for a column (CheckSyntax): the tree is
	// only checked, not rewritten.
	anyColumn bool
}

func (r *resolver) fail(n ast.Node, format string, a ...any) {
	if r.err != nil {
		return
	}
	line, col := position(r.src, n.Location().From)
	r.err = &ExprError{Line: line, Column: col, Msg: fmt.Sprintf(format, a...)}
}

func (r *resolver) isFunction(name string) bool {
	if _, ok := r.config.Functions[name]; ok {
		return true
	}
	_, ok := r.config.Builtins[name]
	return ok
}

// cell rewrites *node into a read of the named column; at is the node
// an error points to.
func (r *resolver) cell(node *ast.Node, name string, at ast.Node) {
	if name == rowNumber {
		r.fail(at, "%s is the row number, not a column: write %s", rowNumber, rowNumber)
		return
	}
	if r.anyColumn {
		return
	}
	i, ok := r.p.index[name]
	if !ok {
		r.fail(at, "%s", r.unknownColumn(name))
		return
	}
	r.p.refs[i] = true
	ast.Patch(node, &ast.IdentifierNode{Value: cellPrefix + name})
}

func (r *resolver) dynamicCell(node *ast.Node, arg ast.Node) {
	r.p.dynamic = true
	r.walk(&arg)
	if r.anyColumn {
		return
	}
	ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: colName}, Arguments: []ast.Node{arg}})
}

func (r *resolver) unknownColumn(name string) string {
	msg := fmt.Sprintf("unknown column %q", name)
	if s := Suggest(name, append(slices.Clip(r.p.names), rowNumber)); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	const show = 20
	cols := r.p.names
	if len(cols) == 0 {
		return msg + "; the source has no columns"
	}
	msg += "; columns are " + strings.Join(cols[:min(show, len(cols))], ", ")
	if len(cols) > show {
		msg += fmt.Sprintf(", … %d in all", len(cols))
	}
	return msg
}

func (r *resolver) walk(node *ast.Node) {
	if r.err != nil {
		return
	}
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		name := n.Value
		switch {
		case slices.Contains(r.locals, name):
		case name == rowNumber:
			r.p.num = true
		case r.has(name):
			r.cell(node, name, n)
		case name == "row":
			r.fail(n, `row must be followed by a column name, as in row["Code postal"]`)
		case r.isFunction(name):
		default:
			r.fail(n, "%s", r.unknownColumn(name))
		}
		return
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && !slices.Contains(r.locals, id.Value) {
			switch {
			case id.Value == "col":
				if len(n.Arguments) != 1 {
					r.fail(n, `col takes one column name, as in col("Code postal")`)
					return
				}
				if s, ok := n.Arguments[0].(*ast.StringNode); ok {
					r.cell(node, s.Value, s)
				} else {
					r.dynamicCell(node, n.Arguments[0])
				}
				return
			case r.isFunction(id.Value):
			case id.Value == rowNumber:
				r.fail(id, "%s is the row number, not a function", rowNumber)
				return
			case !r.anyColumn && r.has(id.Value):
				r.fail(id, "%q is a column, not a function", id.Value)
				return
			default:
				msg := fmt.Sprintf("unknown function %q", id.Value)
				if s := Suggest(id.Value, r.functionNames()); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				r.fail(id, "%s", msg)
				return
			}
			for i := range n.Arguments {
				r.walk(&n.Arguments[i])
			}
			return
		}
	case *ast.MemberNode:
		if id, ok := n.Node.(*ast.IdentifierNode); ok && id.Value == "row" && !slices.Contains(r.locals, "row") {
			if s, ok := n.Property.(*ast.StringNode); ok {
				r.cell(node, s.Value, s)
			} else {
				r.dynamicCell(node, n.Property)
			}
			return
		}
	case *ast.PredicateNode:
		r.walk(&n.Node)
		if !r.anyColumn {
			step := &ast.CallNode{Callee: &ast.IdentifierNode{Value: stepName}}
			n.Node = &ast.SequenceNode{Nodes: []ast.Node{step, n.Node}}
		}
		return
	case *ast.VariableDeclaratorNode:
		r.walk(&n.Value)
		r.locals = append(r.locals, n.Name)
		r.walk(&n.Expr)
		r.locals = r.locals[:len(r.locals)-1]
		return
	}
	for _, c := range children(*node) {
		r.walk(c)
	}
}

func (r *resolver) has(name string) bool {
	if r.anyColumn {
		return !r.isFunction(name) && name != "row"
	}
	_, ok := r.p.index[name]
	return ok
}

func (r *resolver) functionNames() []string {
	names := []string{"col"}
	for n := range r.config.Functions {
		names = append(names, n)
	}
	for n := range r.config.Builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// children returns the child slots of a node, as ast.Walk visits them.
func children(node ast.Node) []*ast.Node {
	switch n := node.(type) {
	case *ast.UnaryNode:
		return []*ast.Node{&n.Node}
	case *ast.BinaryNode:
		return []*ast.Node{&n.Left, &n.Right}
	case *ast.ChainNode:
		return []*ast.Node{&n.Node}
	case *ast.MemberNode:
		return []*ast.Node{&n.Node, &n.Property}
	case *ast.SliceNode:
		out := []*ast.Node{&n.Node}
		if n.From != nil {
			out = append(out, &n.From)
		}
		if n.To != nil {
			out = append(out, &n.To)
		}
		return out
	case *ast.CallNode:
		out := []*ast.Node{&n.Callee}
		for i := range n.Arguments {
			out = append(out, &n.Arguments[i])
		}
		return out
	case *ast.BuiltinNode:
		out := make([]*ast.Node, len(n.Arguments))
		for i := range n.Arguments {
			out[i] = &n.Arguments[i]
		}
		return out
	case *ast.PredicateNode:
		return []*ast.Node{&n.Node}
	case *ast.VariableDeclaratorNode:
		return []*ast.Node{&n.Value, &n.Expr}
	case *ast.SequenceNode:
		out := make([]*ast.Node, len(n.Nodes))
		for i := range n.Nodes {
			out[i] = &n.Nodes[i]
		}
		return out
	case *ast.ConditionalNode:
		return []*ast.Node{&n.Cond, &n.Exp1, &n.Exp2}
	case *ast.ArrayNode:
		out := make([]*ast.Node, len(n.Nodes))
		for i := range n.Nodes {
			out[i] = &n.Nodes[i]
		}
		return out
	case *ast.MapNode:
		out := make([]*ast.Node, len(n.Pairs))
		for i := range n.Pairs {
			out[i] = &n.Pairs[i]
		}
		return out
	case *ast.PairNode:
		return []*ast.Node{&n.Key, &n.Value}
	}
	return nil
}
