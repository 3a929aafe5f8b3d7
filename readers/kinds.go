package readers

import (
	"math"
	"strconv"
)

// CellKind is the type a workbook gives a cell's value, so that a writer
// can give the text of a cell its type again (see Row.Kinds).
type CellKind uint8

const (
	// CellText is text, and whatever a writer cannot type again to read
	// back the same text: numbers with a number format that pads or
	// rewrites them ("00123"), error values, dates out of the plain
	// range, durations. Every cell of a CSV file is text.
	CellText CellKind = iota
	// CellNumber is a number whose text is its shortest plain decimal
	// (strconv 'f', -1): written back as that number, it reads the same.
	CellNumber
	// CellBool is a boolean: TRUE or FALSE.
	CellBool
	// CellDate is a date from 1900-03-01 on, read as "2006-01-02".
	CellDate
	// CellDateTime is a date and time, read as "2006-01-02 15:04:05".
	CellDateTime
	// CellTime is a time of day, read as "15:04:05".
	CellTime
)

var cellKindNames = [...]string{"text", "number", "bool", "date", "datetime", "time"}

func (k CellKind) String() string {
	if int(k) < len(cellKindNames) {
		return cellKindNames[k]
	}
	return "CellKind(" + strconv.Itoa(int(k)) + ")"
}

// kindOf is the kind of cell c, whose text is val.
func (s *xlsxSource) kindOf(c *rawCell, val string) CellKind {
	if val == "" || c.noValue || c.over {
		return CellText
	}
	switch c.typ {
	case cellBool:
		if v := s.rows.text[c.v.from:c.v.to]; len(v) == 1 && (v[0] == '0' || v[0] == '1') {
			return CellBool
		}
		return CellText
	case cellNumber, cellDate:
	default:
		return CellText
	}
	st, ok := s.vals.style(c.style)
	if ok {
		if st.oracle || st.kind == kindKeep || st.kind == kindDuration {
			return CellText
		}
		if k, ok := dateKind(st.kind, val); ok {
			return k
		}
	}
	if plainDecimal(val) {
		return CellNumber
	}
	return CellText
}

// dateKind tells whether val is the ISO text a date or time format of kind
// gives (dateText wrote it; excelize, past its ranges, writes the same
// shape), of a day a writer can give its serial number: from 1900-03-01
// on, when the days of Excel's 1900 date system are plain days.
func dateKind(kind numKind, val string) (CellKind, bool) {
	switch kind {
	case kindDate:
		return CellDate, isoShape(val, "0000-00-00") && val >= "1900-03-01"
	case kindDateTime:
		return CellDateTime, isoShape(val, "0000-00-00 00:00:00") && val >= "1900-03-01"
	case kindTime:
		return CellTime, isoShape(val, "00:00:00")
	}
	return CellText, false
}

// isoShape reports whether val has digits where shape has 0s and shape's
// other characters elsewhere.
func isoShape(val, shape string) bool {
	if len(val) != len(shape) {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == '0' {
			if val[i] < '0' || val[i] > '9' {
				return false
			}
		} else if val[i] != shape[i] {
			return false
		}
	}
	return true
}

// plainDecimal reports whether s is a number written as the shortest
// plain decimal of its value.
func plainDecimal(s string) bool {
	if plainInteger(s) {
		return s != "-0"
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	var b [32]byte
	return string(strconv.AppendFloat(b[:0], x, 'f', -1, 64)) == s
}
