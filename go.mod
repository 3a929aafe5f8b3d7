module github.com/stbulk/stbulk

go 1.26.8
