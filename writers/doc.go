// Package writers holds the outputs of a run: the report files (errors,
// successes, payloads), spreadsheet exports (Workbook, in XLSX or CSV) and
// folders of exported files with their manifest (Folder). The file-system
// helpers they share are in package files.
package writers
