-- lakin.lua: layout blocks of a lakin report, written per output format (pandoc path and Quarto).
--
--   ::: {.lakin-signature custom-style="Tanda Tangan"}     signature block, right-hand side
--   ::: {.lakin-signer custom-style="Nama Penanda Tangan"}  the signer's name, after room to sign
--   ::: {.lakin-pagebreak}                                   page break (DOCX, PDF; CSS in HTML)
--
-- Tables: automatic column widths when they fit the page; in PDF and DOCX, tables wider than the page
-- get column widths that fit it (see fit_columns). DOCX cell paragraph styles are set afterwards by
-- lakin.pipeline.render (pandoc ignores custom styles inside table cells).

local function is_typst() return FORMAT:match("typst") ~= nil end
local function is_docx() return FORMAT:match("docx") ~= nil end

local function concat(a, b, c)
  local out = {}
  for _, x in ipairs(a) do table.insert(out, x) end
  for _, x in ipairs(b) do table.insert(out, x) end
  for _, x in ipairs(c or {}) do table.insert(out, x) end
  return out
end

function Div(el)
  if el.classes:includes("lakin-pagebreak") then
    if is_typst() then
      return pandoc.RawBlock("typst", "#pagebreak(weak: true)")
    elseif is_docx() then
      return pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    end
    return el
  end
  if is_typst() and el.classes:includes("lakin-signer") then
    return concat({ pandoc.RawBlock("typst", "#v(3.5em)") }, el.content)
  end
  if is_typst() and el.classes:includes("lakin-signature") then
    return concat(
      { pandoc.RawBlock("typst", "#v(1.5em)\n#align(right)[#block(width: 50%, breakable: false)[#set align(left)") },
      el.content,
      { pandoc.RawBlock("typst", "]]") }
    )
  end
  return nil
end

-- Tables that fit the page (PDF and DOCX). Tables that fit keep automatic widths. Otherwise, in order:
--   1. the text size steps down (PDF 8 -> 7 pt, DOCX 9 -> 7.5 pt) until the longest words fit side by side;
--   2. if they still do not, columns of full-rupiah amounts ("Rp127.971.778.846") are written in juta
--      rupiah, then in miliar rupiah (two decimals, rounded half away from zero; the unit is added to the
--      column header: "Target (Rp juta)");
--   3. if they still do not, the text steps down further (PDF 6.5 -> 6 pt, DOCX 6.5 pt);
--   4. if they still do not, the table goes on a landscape page of its own (PDF: `page(flipped: true)`;
--      DOCX: a landscape section, set by lakin.pipeline.render from the bookmark `lakin-tabel-<size>-lanskap-N`).
-- Every column gets at least its longest word and the remaining width goes to the columns with the most
-- text. Identifiers (snake_case, key=value) may break after "_", "=" and "/". HTML tables are left to the
-- browser (lakin.css puts them in a horizontal scroll box). Widths are estimates from glyph widths.
local TEXT_WIDTH = 439       -- pt: A4 portrait text width (21 cm - 3 cm - 2.5 cm)
local LANDSCAPE_WIDTH = 686  -- pt: A4 landscape text width (29.7 cm - 3 cm - 2.5 cm)
local WORDS_SHARE = 1.0  -- the longest words (with SAFETY) may take this share of the width
local SAFETY = 1.15      -- estimates are rough: give the longest word this much more room
-- Per format: cell text sizes to try (pt; the first is the normal size) and left + right cell padding.
local TYPST = { sizes = { 8, 7, 6.5, 6 }, inset = 8 }
-- reference.docx: "Isi Tabel" 9 pt, "Isi Tabel Kecil" 7.5 pt, "Isi Tabel Mini" 6.5 pt; cell margins 2 x 3.6 pt
local DOCX = { sizes = { 9, 7.5, 6.5 }, inset = 8, names = { [9] = "normal", [7.5] = "kecil", [6.5] = "mini" } }
local marked_tables = 0
local ZWSP = utf8.char(0x200B)

-- Approximate glyph widths (em) of DejaVu Sans / Arial, the table fonts, rounded up.
local function glyph_em(code)
  if code >= 48 and code <= 57 then return 0.64 end            -- digits
  if code == 32 then return 0.32 end                           -- space
  if code == 0x200B then return 0 end                          -- zero-width space
  if code == 37 then return 0.95 end                           -- %
  if code == 44 or code == 46 or code == 58 or code == 59 then return 0.34 end  -- , . : ;
  if code == 77 or code == 87 then return 0.9 end              -- M W
  if code >= 65 and code <= 90 then return 0.74 end            -- capitals
  if code == 109 or code == 119 then return 0.92 end           -- m w
  if code == 105 or code == 108 or code == 106 then return 0.28 end  -- i l j
  if code == 102 or code == 116 or code == 114 then return 0.42 end  -- f t r
  if code >= 97 and code <= 122 then return 0.62 end           -- lower case
  return 0.64
end

local function text_em(text)
  local width = 0
  for _, code in utf8.codes(text) do
    width = width + glyph_em(code)
  end
  return width
end

-- Longest piece of a word that cannot break (breaks after a zero-width space).
local function word_em(word)
  local longest = 0
  for piece in (word .. ZWSP):gmatch("(.-)" .. ZWSP) do
    longest = math.max(longest, text_em(piece))
  end
  return longest
end

-- A table's cells as text, read once per table. Each `pandoc.utils.stringify` call converts its argument from Lua to
-- pandoc, so a table's cells are read in one call: their blocks in a row, each cell's followed by a paragraph of
-- SEP alone, and the text cut at SEP (stringify writes a list of blocks as their texts one after the other; a
-- table with SEP in a cell is read cell by cell). For each row, its cells as
-- { col = first column, span = columns spanned, text = the cell's text }: `head` (the table head's rows),
-- `other` (the bodies' head rows and the foot's rows), `body` (the bodies' rows).
local read_tables = setmetatable({}, { __mode = "k" })
local SEP = utf8.char(0x1F)  -- the unit separator: no text lakin prints holds it

local function cell_texts(el)
  local known = read_tables[el]
  if known then return known end
  local groups = { {}, {}, {} }  -- rows of head, other and body, in reading order
  for _, row in ipairs(el.head.rows) do table.insert(groups[1], row) end
  for _, b in ipairs(el.bodies) do
    for _, row in ipairs(b.head) do table.insert(groups[2], row) end
    for _, row in ipairs(b.body) do table.insert(groups[3], row) end
  end
  for _, row in ipairs(el.foot.rows) do table.insert(groups[2], row) end
  local blocks, marker, count = pandoc.Blocks({}), pandoc.Plain({ pandoc.Str(SEP) }), 0
  for _, rows in ipairs(groups) do
    for _, row in ipairs(rows) do
      for _, cell in ipairs(row.cells) do
        blocks:extend(cell.contents)
        blocks:insert(marker)
        count = count + 1
      end
    end
  end
  local texts = {}
  for piece in pandoc.utils.stringify(blocks):gmatch("(.-)" .. SEP) do table.insert(texts, piece) end
  local whole = #texts == count
  local i = 0
  local function read(rows)
    local into = {}
    for _, row in ipairs(rows) do
      local cells, col = {}, 1
      for _, cell in ipairs(row.cells) do
        i = i + 1
        local span = cell.col_span or 1
        local text = whole and texts[i] or pandoc.utils.stringify(cell.contents)
        table.insert(cells, { col = col, span = span, text = text })
        col = col + span
      end
      table.insert(into, cells)
    end
    return into
  end
  known = { head = read(groups[1]), other = read(groups[2]), body = read(groups[3]) }
  read_tables[el] = known
  return known
end

-- A table's measures, by table: the layout decision asks for them at every text size and unit it tries.
local measured = setmetatable({}, { __mode = "k" })

local function measure(el)
  local known = measured[el]
  if known then return known[1], known[2] end
  local words, texts = {}, {}
  local function visit(rows, factor)
    for _, row in ipairs(rows) do
      for _, cell in ipairs(row) do
        local longest = 0
        for word in cell.text:gmatch("%S+") do
          longest = math.max(longest, word_em(word))
        end
        if cell.span == 1 then
          words[cell.col] = math.max(words[cell.col] or 0, longest * factor)
          texts[cell.col] = math.max(texts[cell.col] or 0, text_em(cell.text) * factor)
        end
      end
    end
  end
  local cells = cell_texts(el)
  visit(cells.head, 1.1)
  visit(cells.other, 1.0)
  visit(cells.body, 1.0)
  measured[el] = { words, texts }
  return words, texts
end

local function widths(el, size, inset)
  local words, texts = measure(el)
  local n = #el.colspecs
  local min, max, sum_min, sum_max = {}, {}, 0, 0
  for i = 1, n do
    min[i] = (words[i] or 1) * size * SAFETY + inset
    max[i] = math.max(min[i], (texts[i] or 1) * size + inset)
    sum_min, sum_max = sum_min + min[i], sum_max + max[i]
  end
  return min, max, sum_min, sum_max
end

-- The first text size (not below `smallest`) at which the longest words fit in `width`, or nil.
local function fitting_size(el, fmt, width, smallest)
  for _, s in ipairs(fmt.sizes) do
    local _, _, sum_min = widths(el, s, fmt.inset)
    if s >= (smallest or 0) and sum_min <= WORDS_SHARE * width then
      return s
    end
  end
  return nil
end

local function set_widths(el, size, inset, width)
  local min, max, sum_min, sum_max = widths(el, size, inset)
  local spare = math.max(0, width - sum_min)
  local stretch = sum_max - sum_min
  local total = math.max(width, sum_min)
  for i = 1, #el.colspecs do
    local w = min[i]
    if stretch > 0 then
      w = w + spare * (max[i] - min[i]) / stretch
    end
    el.colspecs[i] = { el.colspecs[i][1], w / total }
  end
end

local function default_widths(el)
  for i, spec in ipairs(el.colspecs) do
    el.colspecs[i] = { spec[1], nil }
  end
end

-- Identifiers may break after "_", "=" and "/" (a zero-width space after each).
local function breakable_identifiers(el)
  return el:walk({
    Str = function(s)
      if #s.text > 12 and s.text:find("[_=/]") then
        return pandoc.Str((s.text:gsub("([_=/])", "%1" .. ZWSP)))
      end
    end,
  })
end

-- Full rupiah "Rp1.234.567" / "-Rp1.234" -> its value in units of `scale` with two decimals, Indonesian form.
local function rupiah_value(text)
  local sign, digits = text:match("^(%-?)Rp([%d%.]+)$")
  -- grouped by thousands: 1 to 3 digits, then groups of ".ddd"
  if not digits or not digits:gsub("%.%d%d%d", ""):match("^%d%d?%d?$") then return nil end
  return sign, tonumber((digits:gsub("%.", "")))
end

local function scaled(sign, value, scale)
  local hundredths = (value * 100 + scale // 2) // scale  -- half away from zero (value >= 0)
  local whole, frac = hundredths // 100, hundredths % 100
  local s = tostring(whole):reverse():gsub("(%d%d%d)", "%1."):reverse():gsub("^%.", "")
  return sign .. s .. "," .. string.format("%02d", frac)
end

local UNITS = { { scale = 1000000, name = "Rp juta" }, { scale = 1000000000, name = "Rp miliar" } }

-- Calls fn(col, cell, text) for every body cell; col is the cell's first column (cells may span columns).
local function each_body_cell(el, fn)
  for _, body in ipairs(el.bodies) do
    for _, row in ipairs(body.body) do
      local col = 1
      for _, cell in ipairs(row.cells) do
        fn(col, cell, pandoc.utils.stringify(cell.contents))
        col = col + (cell.col_span or 1)
      end
    end
  end
end

-- The columns whose body cells all pass `test` (at least one does) or are empty, "-" or "N/A".
local function columns_where(el, test)
  local seen, other = {}, {}
  for _, row in ipairs(cell_texts(el).body) do
    for _, cell in ipairs(row) do
      if test(cell.text) then
        seen[cell.col] = true
      elseif cell.text ~= "" and cell.text ~= "-" and cell.text ~= "N/A" then
        other[cell.col] = true
      end
    end
  end
  local out = {}
  for col in pairs(seen) do
    if not other[col] then out[col] = true end
  end
  return out
end

-- Columns whose every body cell is a full-rupiah amount (or empty, "-", "N/A").
local function rupiah_columns(el)
  return columns_where(el, rupiah_value)
end

-- A copy of the table with the rupiah columns in `unit`; nil if it has none.
local function in_unit(el, unit)
  local cols = rupiah_columns(el)
  if next(cols) == nil then return nil end
  local t = el:clone()
  each_body_cell(t, function(col, cell, text)
    if cols[col] then
      local sign, value = rupiah_value(text)
      if value then
        cell.contents = { pandoc.Plain({ pandoc.Str(scaled(sign, value, unit.scale)) }) }
      end
    end
  end)
  local rows = t.head.rows
  if #rows > 0 then
    local col = 1
    for _, cell in ipairs(rows[#rows].cells) do
      if cols[col] then
        local inlines = pandoc.utils.blocks_to_inlines(cell.contents)
        inlines:extend({ pandoc.Space(), pandoc.Str("(" .. unit.name .. ")") })
        cell.contents = { pandoc.Plain(inlines) }
      end
      col = col + (cell.col_span or 1)
    end
  end
  return t
end

local function natural_width(el, fmt)
  local _, _, _, natural = widths(el, fmt.sizes[1], fmt.inset)
  return natural
end

-- Layout decision: the table (maybe in another unit), its text size, and whether it needs landscape.
-- A smaller unit is preferred to a text size below READABLE pt.
local READABLE = 7
local function fit(el, fmt)
  if natural_width(el, fmt) <= TEXT_WIDTH then
    return el, nil, false
  end
  local candidates = { el }
  for _, unit in ipairs(UNITS) do
    table.insert(candidates, in_unit(el, unit))  -- nil (no rupiah column) adds nothing
  end
  for _, smallest in ipairs({ READABLE, 0 }) do
    for _, t in ipairs(candidates) do
      if natural_width(t, fmt) <= TEXT_WIDTH then return t, nil, false end
      local size = fitting_size(t, fmt, TEXT_WIDTH, smallest)
      if size then return t, size, false end
    end
  end
  local last = candidates[2] or el
  return last, fitting_size(last, fmt, LANDSCAPE_WIDTH) or fmt.sizes[#fmt.sizes], true
end

-- A number as lakin prints it: 1.234,56 / 53,31% / Rp1.234 / -0,5 / +4,42% (Indonesian separators).
local function is_number(text)
  local t = text:gsub("^[-+]", ""):gsub("^Rp", ""):gsub("%s?%%$", "")
  return t:match("^%d[%d%.]*,?%d*$") ~= nil
end

-- Columns whose body cells are all numbers (or empty, "-", "N/A") are right-aligned, in every format.
local function align_numbers(el)
  local numeric = columns_where(el, is_number)
  for i, spec in ipairs(el.colspecs) do
    if numeric[i] then
      el.colspecs[i] = { pandoc.AlignRight, spec[2] }
    end
  end
  return el
end

-- HTML only: a cell that is exactly a status ("Hijau", "Kuning", "Merah") becomes a coloured chip
-- (lakin.css, section "HTML report"); the other formats print the word.
local STATUS = { Hijau = "hijau", Kuning = "kuning", Merah = "merah" }
local function status_chips(el)
  local texts, i = cell_texts(el).body, 0
  for _, body in ipairs(el.bodies) do
    for _, row in ipairs(body.body) do
      i = i + 1
      for j, cell in ipairs(row.cells) do
        local text = texts[i][j].text
        if STATUS[text] then
          cell.contents = { pandoc.Plain({ pandoc.Span({ pandoc.Str(text) },
            pandoc.Attr("", { "lakin-status", "lakin-status-" .. STATUS[text] })) }) }
        end
      end
    end
  end
  return el
end

function Table(el)
  el = align_numbers(breakable_identifiers(el))
  local fmt = (is_typst() and TYPST) or (is_docx() and DOCX) or nil
  if fmt == nil then
    default_widths(el)  -- HTML: the browser lays the table out, in a box that scrolls sideways
    if FORMAT:match("html") then
      return pandoc.Div({ status_chips(el) }, pandoc.Attr("", { "lakin-tabel" }))
    end
    return el
  end
  local t, size, landscape = fit(el, fmt)
  if size == nil then
    default_widths(t)  -- fits as it is
    return t
  end
  set_widths(t, size, fmt.inset, landscape and LANDSCAPE_WIDTH or TEXT_WIDTH)
  if is_typst() then
    local open, close = "#[", "]"
    if size < fmt.sizes[1] then
      open = "#[#show table: set text(size: " .. size .. "pt)"
    end
    if landscape then
      open, close = "#page(flipped: true)[" .. open, close .. "]"
    end
    return { pandoc.RawBlock("typst", open), t, pandoc.RawBlock("typst", close) }
  end
  -- DOCX: a bookmark named lakin-tabel-<size>[-lanskap]-N before the table tells lakin.pipeline.render which cell
  -- styles ("Kecil", "Mini") to use and whether the table needs a landscape section.
  if size < fmt.sizes[1] or landscape then
    marked_tables = marked_tables + 1
    if t.identifier == "" then
      t.identifier = "lakin-tabel-" .. DOCX.names[size] .. (landscape and "-lanskap" or "") .. "-" .. marked_tables
    end
  end
  return t
end

-- PDF: the headings right before a landscape table go onto its landscape page with it. Left on the portrait page
-- before, a heading stood alone at that page's foot with its table on the next page. (DOCX: lakin.pipeline.render
-- starts the table's landscape section at those headings.) Blocks run after Table, so the table is wrapped already.
local FLIPPED = "#page(flipped: true)["
function Blocks(blocks)
  if not is_typst() then return nil end
  local out, moved = pandoc.Blocks({}), false
  for _, b in ipairs(blocks) do
    if b.t == "RawBlock" and b.format == "typst" and b.text:sub(1, #FLIPPED) == FLIPPED
        and #out > 0 and out[#out].t == "Header" then
      local headers = {}
      while #out > 0 and out[#out].t == "Header" do table.insert(headers, 1, out:remove()) end
      out:insert(pandoc.RawBlock("typst", FLIPPED))
      out:extend(headers)
      out:insert(pandoc.RawBlock("typst", b.text:sub(#FLIPPED + 1)))
      moved = true
    else
      out:insert(b)
    end
  end
  return moved and out or nil
end
