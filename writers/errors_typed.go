package writers

import (
	"errors"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// CellType is the type of a cell of the input's columns in an XLSX errors
// file (see ErrorsFile.AddTyped).
type CellType uint8

const (
	// CellText is text, in a cell formatted as Text (@).
	CellText CellType = iota
	// CellNumber is a number, given as its decimal text.
	CellNumber
	// CellBool is a boolean, given as TRUE or FALSE.
	CellBool
	// CellDate is a date, given as "2006-01-02", formatted yyyy-mm-dd.
	CellDate
	// CellDateTime is a date and time, given as "2006-01-02 15:04:05",
	// formatted yyyy-mm-dd hh:mm:ss.
	CellDateTime
	// CellTime is a time of day, given as "15:04:05", formatted hh:mm:ss.
	CellTime
)

// The number formats of date and time cells: readers reads them back as
// the text they were given.
const (
	dateFormat     = "yyyy-mm-dd"
	dateTimeFormat = "yyyy-mm-dd hh:mm:ss"
	timeFormat     = "hh:mm:ss"
)

// typedStyles are the style ids of typed cells.
type typedStyles struct {
	general, date, dateTime, clock int
}

func newTypedStyles(book *excelize.File) (typedStyles, error) {
	var t typedStyles
	var err error
	// The General format, aligned as General aligns: a style of its own,
	// since a cell of style 0 takes its column's, Text.
	if t.general, err = book.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "general"}}); err != nil {
		return t, err
	}
	if t.general == 0 {
		return t, errors.New("no style for numbers")
	}
	for _, f := range []struct {
		id   *int
		code string
	}{{&t.date, dateFormat}, {&t.dateTime, dateTimeFormat}, {&t.clock, timeFormat}} {
		code := f.code
		if *f.id, err = book.NewStyle(&excelize.Style{CustomNumFmt: &code}); err != nil {
			return t, err
		}
	}
	return t, nil
}

// excelEpoch is day 0 of Excel's 1900 date system, as counted from
// 1900-03-01 on.
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// cell is the cell of text v typed t, or v as text when it is not of t.
func (s typedStyles) cell(v string, t CellType) any {
	switch t {
	case CellNumber:
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return excelize.Cell{StyleID: s.general, Value: x}
		}
	case CellBool:
		switch v {
		case "TRUE":
			return excelize.Cell{StyleID: s.general, Value: true}
		case "FALSE":
			return excelize.Cell{StyleID: s.general, Value: false}
		}
	case CellDate, CellDateTime:
		layout, style := "2006-01-02", s.date
		if t == CellDateTime {
			layout, style = "2006-01-02 15:04:05", s.dateTime
		}
		if d, err := time.Parse(layout, v); err == nil && !d.Before(excelEpoch.AddDate(0, 0, 61)) {
			return excelize.Cell{StyleID: style, Value: float64(d.Sub(excelEpoch)) / float64(24*time.Hour)}
		}
	case CellTime:
		if d, err := time.Parse("15:04:05", v); err == nil {
			secs := d.Hour()*3600 + d.Minute()*60 + d.Second()
			return excelize.Cell{StyleID: s.clock, Value: float64(secs) / 86400}
		}
	}
	return v
}
