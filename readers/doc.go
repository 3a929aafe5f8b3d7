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
// excelize reads a workbook's small parts (the workbook, its
// relationships, the styles, 32 MiB each at most): the sheets, which are
// hidden or charts, the date system, the number formats. The worksheet and
// the shared strings are read by this package as they are unpacked: the
// worksheet one row at a time, by an XML scanner of its own (elements by
// their local name, so <x:row> is a row; entity and character references,
// CDATA, rich text runs, phonetic runs left out, Excel's _xHHHH_ escapes),
// unpacked a few chunks ahead in a goroutine; the shared strings into
// blocks held in memory up to 8 MiB and, past that, written to a
// temporary file read back in runs through a 2 MiB cache (one read per
// run of strings when cells use them in the table's order, as Excel
// writes it; about one read per cell when they use them in no order). The temporary
// file is deleted as soon as it is created (on Windows, where an open file
// cannot be, when the source is closed): a killed import leaves nothing
// behind. Memory thus does not grow with the rows or the strings.
//
// A workbook may unpack to 1 GiB at most: past that it is refused, so a
// zip bomb is an error. The worksheet is read through once, while the
// shared strings load, so that a damaged part is refused before any row is
// given. A worksheet that is not well-formed XML (an element left open, an
// unknown entity) ends the reading with an error naming the part and the
// byte. OpenContext (OpenXLSXContext) stops while the workbook opens:
// loading the shared strings, checking the sheet, finding the header.
//
// Limits (XLSXOptions.Limits, DefaultLimits where zero) keep a hostile or
// broken workbook to a clear error; each names the limit as a mapping sets
// it under limits:
//
//   - fields_per_row (16,384, Excel's columns): a row with more cells, or
//     a cell past that column, is one *RowError that lists no cell past
//     the header's.
//   - field_bytes (1 MiB): a cell holding more text is a *RowError naming
//     the cell; a shared string is never kept past 32 MiB.
//   - row_bytes (16 MiB): a row whose XML takes more is a *RowError.
//   - shared_strings (67,108,864) and shared_string_bytes (4 GiB): a
//     workbook whose shared strings hold more is refused by Open. Memory
//     does not depend on them (strings past 8 MiB go to the temporary
//     file): they bound the time and the disk an opening takes.
//   - xml_depth (64): elements nested deeper end the reading.
//
// Text that is not kept (spaces between rows, a cell past its limit,
// parts of the sheet other than cells) streams by without being held; a
// single tag may take 1 MiB at most.
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
//
// These values are what excelize's row iterator gave, byte for byte (the
// golden files of the tests hold them for every sheet of the shared
// corpus): they are computed here for plain numbers, dates from 1900-03-01
// to 9999 and zero-padded codes, and left to excelize, on a one-cell
// sheet, for the rest (other formats with zeros, such as `000\-0000`;
// Excel's days before March 1900), which costs more per cell. A shared
// string's number that is not one, or past the table, is a *RowError
// naming the cell.
//
// With XLSXOptions.CellKinds, each Row (and RowError) also gives Kinds,
// the CellKind of each cell, so that a writer can type the text again and
// a reader read it back the same: CellNumber for a number whose text is
// its shortest plain decimal, CellBool, CellDate, CellDateTime and CellTime
// for dates from 1900-03-01 and times of day, CellText for the rest (text,
// numbers shown zero-padded or in a format left to excelize, durations,
// error values). Without it Kinds is nil and reading costs nothing more;
// CSV sources never give kinds.
package readers
