// Package readers streams the rows of the files users import: CSV and XLSX.
//
// A Source gives a header and then one Row at a time; memory stays flat
// whatever the file's size. Row.Num is the row number a spreadsheet shows:
// for XLSX the sheet's row number; for CSV one row per record, however many
// lines its quoted fields span, and one per blank line, as Excel and
// LibreOffice open the file. A CSV record's row is thus the line where it
// starts less the line breaks inside the quoted fields above it; an Excel
// "sep=;" first line counts as row 1.
//
// # Errors
//
// A file that cannot be read at all, or whose header is unusable, is an
// error from the Open function, naming the file. A bad data row is a
// *RowError ("customers.csv:12: 4 fields, but the header has 5"): the
// caller records it and calls Next again. Any other error from Next is
// fatal for the source.
//
// Limits (CSVOptions.Limits, XLSXOptions.Limits, defaults in
// DefaultLimits) bound what a row may hold: a row with more fields than
// FieldsPerRow is a *RowError giving the count, never the cells; a field
// longer than FieldBytes is a *RowError naming its column; a CSV record
// running past RowBytes is a *RowError too, found without holding it:
// where it ends is found by the rules encoding/csv follows (quotes, quote
// errors, lazy quotes), and reading goes on after it. Only with a
// delimiter of several bytes is such a record fatal.
//
// # Header rules (CSV and XLSX alike)
//
//   - The header is the first non-blank row at or after the header row
//     (row 1 unless told otherwise, counted as Row.Num counts); rows before
//     it are skipped whatever they hold.
//   - Names are trimmed of surrounding spaces; a byte order mark is dropped.
//   - Two columns with the same name are an error naming both columns:
//     `customers.csv: header: column 3 and 7 are both named "City"`.
//   - A column with no name is left out of Header and Cells, as long as it
//     is empty: a data row with a value in it is a *RowError naming the
//     column, so nothing is dropped silently. Columns right of the last name
//     are treated the same way.
//   - An empty file or sheet (nothing at or after the header row) is not an
//     error: Header is empty and Next returns io.EOF at once. Callers decide
//     whether that is "nothing to do" or a mistake.
//
// Rows whose cells are all empty or spaces are skipped, and so are blank
// lines.
//
// # CSV
//
// Parsing is encoding/csv's, with strict quotes unless CSVOptions.LazyQuotes
// is set. Detection looks at the first 64 KiB only:
//
//   - Encoding: a byte order mark decides (UTF-8, UTF-16 LE or BE, as Excel's
//     "Unicode text" writes); UTF-16 without one is recognised by its zero
//     bytes; otherwise text that is not valid UTF-8 is windows-1252, or Mac
//     Roman (Excel for Mac's plain CSV) when its accented letters sit where
//     Mac Roman puts them. Past the
//     first 64 KiB, a byte that is not valid UTF-8 is still read as
//     windows-1252, and if no other non-ASCII text came before it the whole
//     file is taken as windows-1252 (Dialect then says so). An encoding can
//     be forced; with "utf-8" forced, invalid bytes make a *RowError.
//   - Delimiter: among , ; TAB |, the one that splits the header record into
//     more than one field and the most records into as many fields, quotes
//     respected; a comma on a tie or when none splits the header. Excel's
//     "sep=;" first line, when present, names the delimiter and is skipped.
//   - Line ends: LF, CRLF, and lone CR (classic Mac) when the sample has no LF.
//
// A row with more or fewer fields than the header record is a *RowError.
// A quote encoding/csv cannot parse is a *RowError at the row where the
// record starts, its message naming the line of the text where the parser
// stopped; the record is one row, up to that line, and reading goes on
// after it. A quoted field never closed runs to the end of the file, which
// then ends with that error.
//
// # XLSX
//
// Workbooks are read with excelize's streaming row iterator. A workbook
// may unpack to 1 GiB at most: past that it is refused, so a zip bomb is an
// error. Worksheets and shared strings larger than 16 MiB are unpacked to a
// temporary file rather than held in memory.
//
// Values are the cells' cached values: formulas are not recalculated. Dates
// and times are given as ISO text whenever the cell's number format is a
// date or time format ("2006-01-02", "2006-01-02 15:04:05", "15:04:05",
// "[h]:mm:ss" for elapsed time), in either the 1900 or the 1904 date system.
// Other numbers are given as stored, cut to Excel's 15 significant digits,
// whatever their display format ("1234.5", not "1 234,50 €"; 0.1+0.2 reads
// "0.3"), except formats made only of zeros ("00000" for zip codes), which
// keep their leading zeros. Booleans read TRUE or FALSE, error values as
// Excel shows them ("#N/A"). A merged range has its value in its top-left
// cell; its other cells read "". The first visible worksheet is read unless
// a sheet is named or numbered; chart sheets are never chosen.
package readers
