package sandbox

// Report item types (idTypeItem).
const (
	itemCompliance = 0
	itemList       = 1
	itemText       = 2
	itemDate       = 3
	itemTime       = 4
	itemNumeric    = 5
	itemSignature  = 7
	itemPicture    = 8
)

type block struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	Published bool        `json:"published"`
	Shared    bool        `json:"shared"`
	Items     []blockItem `json:"items"`
}

type blockItem struct {
	ID             int64    `json:"id"`
	Name           string   `json:"name"`
	Position       int      `json:"position"`
	ConditionItem  int64    `json:"conditionItem,omitempty"`
	ConditionValue string   `json:"conditionValue,omitempty"`
	Type           int      `json:"type"`
	Values         []string `json:"values,omitempty"`
	Mandatory      bool     `json:"mandatory,omitempty"`
}

// blockOut is a block as SharedBlocks/List shows it (flPublished and
// flShared are booleans there, although the field table says int).
type blockOut struct {
	FlPublished bool           `json:"flPublished"`
	FlShared    bool           `json:"flShared"`
	ID          int64          `json:"id"`
	Items       []blockItemOut `json:"items"`
	Name        string         `json:"name"`
}

type blockItemOut struct {
	ConditionItem  *int64   `json:"conditionItem"`
	ConditionValue *string  `json:"conditionValue"`
	PositionNumber int      `json:"positionNumber"`
	ValueList      []string `json:"valueList"`
	IDCategory     int64    `json:"idCategory"`
	IDItem         int64    `json:"idItem"`
	IDTypeItem     int      `json:"idTypeItem"`
	Mandatory      bool     `json:"mandatory"`
	Name           string   `json:"name"`
}

// sharedBlocksList answers GET SharedBlocks/List: the shared blocks and
// their items.
func (s *Server) sharedBlocksList(c *call) answer {
	out := []blockOut{}
	for _, id := range sortedKeys(s.st.Blocks) {
		b := s.st.Blocks[id]
		if !b.Shared {
			continue
		}
		bo := blockOut{FlPublished: b.Published, FlShared: b.Shared, ID: b.ID, Items: []blockItemOut{}, Name: b.Name}
		for _, it := range b.Items {
			io := blockItemOut{
				PositionNumber: it.Position, IDCategory: b.ID, IDItem: it.ID, IDTypeItem: it.Type,
				Mandatory: it.Mandatory, Name: it.Name,
			}
			if it.ConditionItem != 0 {
				ci, cv := it.ConditionItem, it.ConditionValue
				io.ConditionItem, io.ConditionValue = &ci, &cv
			}
			if len(it.Values) > 0 {
				io.ValueList = append([]string{}, it.Values...)
			}
			bo.Items = append(bo.Items, io)
		}
		out = append(out, bo)
	}
	return ok(out)
}
