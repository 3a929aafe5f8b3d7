package readers

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits bound what one row, and a workbook's shared strings, may hold, so
// that a broken or hostile file is a clear error rather than memory or time
// exhausted. A zero field takes its default (DefaultLimits); mappings set
// them under `limits:`.
type Limits struct {
	// FieldsPerRow is the most fields (cells) one row may have. A row with
	// more is a *RowError that names the count, never the cells.
	FieldsPerRow int
	// FieldBytes is the most bytes one field may hold: past it the row is a
	// *RowError naming the column.
	FieldBytes int
	// RowBytes is the most bytes one row (one CSV record, one sheet row's
	// XML) may take: past it the row is a *RowError, skipped without being
	// held in memory (a CSV parser holds some 40 bytes a byte of a line of
	// commas).
	RowBytes int
	// SharedStrings is the most entries a workbook's shared-string table may
	// hold, and SharedStringBytes the most bytes of text they may hold
	// together (XLSX only).
	SharedStrings     int
	SharedStringBytes int64
	// XMLDepth is the deepest nesting of elements a workbook part may have
	// (XLSX only).
	XMLDepth int
}

// DefaultLimits are the limits used where a mapping sets none: generous for
// any real file (Excel itself stops at 16,384 columns and 32,767 characters
// a cell), small enough that memory stays bounded.
var DefaultLimits = Limits{
	FieldsPerRow:      16384,
	FieldBytes:        1 << 20,
	RowBytes:          2 << 20,
	SharedStrings:     1 << 26,
	SharedStringBytes: 4 << 30,
	XMLDepth:          64,
}

// withDefaults returns l with each zero field set to its default.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.FieldsPerRow > 0 {
		d.FieldsPerRow = l.FieldsPerRow
	}
	if l.FieldBytes > 0 {
		d.FieldBytes = l.FieldBytes
	}
	if l.RowBytes > 0 {
		d.RowBytes = l.RowBytes
	}
	if l.SharedStrings > 0 {
		d.SharedStrings = l.SharedStrings
	}
	if l.SharedStringBytes > 0 {
		d.SharedStringBytes = l.SharedStringBytes
	}
	if l.XMLDepth > 0 {
		d.XMLDepth = l.XMLDepth
	}
	return d
}

// ParseSize reads a byte count as a mapping writes it: a whole number of
// bytes ("1048576") or one with a binary unit ("512 KiB", "1MiB", "4 GiB";
// KB, MB and GB are taken as the binary units too).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	digits := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	if digits < 0 {
		digits = len(t)
	}
	unit := strings.ToUpper(strings.TrimSpace(t[digits:]))
	n, err := strconv.ParseInt(t[:digits], 10, 64)
	if err != nil || n < 1 || strings.IndexFunc(unit, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return 0, fmt.Errorf("%q is not a size: write a whole number of bytes, or one with KiB, MiB or GiB", s)
	}
	shift := 0
	switch unit {
	case "", "B":
	case "K", "KB", "KIB":
		shift = 10
	case "M", "MB", "MIB":
		shift = 20
	case "G", "GB", "GIB":
		shift = 30
	default:
		return 0, fmt.Errorf("%q is not a size: the unit must be KiB, MiB or GiB", s)
	}
	if n > (1<<62)>>shift {
		return 0, fmt.Errorf("%q is too large a size", s)
	}
	return n << shift, nil
}
