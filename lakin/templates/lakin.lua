-- lakin.lua: layout blocks of a lakin report, written per output format (pandoc path and Quarto).
--
--   ::: {.lakin-signature custom-style="Tanda Tangan"}     signature block, right-hand side
--   ::: {.lakin-signer custom-style="Nama Penanda Tangan"}  the signer's name, after room to sign
--   ::: {.lakin-pagebreak}                                   page break (DOCX, PDF; CSS in HTML)
--
-- Tables: automatic column widths when they fit the page; in PDF and DOCX, tables wider than the page
-- get column widths that fit it (see fit_columns). DOCX cell paragraph styles are set afterwards by
-- lakin.render (pandoc ignores custom styles inside table cells).

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

-- Column widths for tables wider than the page (PDF and DOCX). Tables that fit keep automatic
-- widths. Otherwise every column gets at least its longest word (so numbers such as
-- "Rp2.038.481.839.000" never overflow into the next cell) and the remaining width goes to the
-- columns with the most text; the text size steps down (PDF 8 -> 7 -> 6.5 -> 6 pt, DOCX 9 -> 7.5 -> 6.5 pt)
-- until the longest words fit side by side. Widths are estimates from approximate glyph widths.
local TEXT_WIDTH = 439   -- pt: A4 text width (21 cm - 3 cm - 2.5 cm)
local WORDS_SHARE = 0.8  -- the longest words may take this share of the width before the size steps down
local SAFETY = 1.15      -- estimates are rough: give the longest word this much more room
-- Per format: cell text sizes to try (pt; the first is the normal size) and left + right cell padding.
local TYPST = { sizes = { 8, 7, 6.5, 6 }, inset = 8 }
-- reference.docx: "Isi Tabel" 9 pt, "Isi Tabel Kecil" 7.5 pt, "Isi Tabel Mini" 6.5 pt; cell margins 2 x 3.6 pt
local DOCX = { sizes = { 9, 7.5, 6.5 }, inset = 8, names = { [7.5] = "kecil", [6.5] = "mini" } }
local small_tables = 0

-- Approximate glyph widths (em) of DejaVu Sans / Arial, the table fonts, rounded up.
local function glyph_em(code)
  if code >= 48 and code <= 57 then return 0.64 end            -- digits
  if code == 32 then return 0.32 end                           -- space
  if code == 37 then return 0.95 end                           -- %
  if code == 44 or code == 46 or code == 58 or code == 59 then return 0.34 end  -- , . : ;
  if code >= 65 and code <= 90 then return 0.72 end            -- capitals
  if code == 105 or code == 108 or code == 106 then return 0.28 end  -- i l j
  if code >= 97 and code <= 122 then return 0.6 end            -- lower case
  return 0.62
end

local function text_em(text)
  local width = 0
  for _, code in utf8.codes(text) do
    width = width + glyph_em(code)
  end
  return width
end

local function measure(el)
  local words, texts = {}, {}
  local function visit(rows, factor)
    for _, row in ipairs(rows) do
      local col = 1
      for _, cell in ipairs(row.cells) do
        local text = pandoc.utils.stringify(cell.contents)
        local longest = 0
        for word in text:gmatch("%S+") do
          longest = math.max(longest, text_em(word))
        end
        if (cell.col_span or 1) == 1 then
          words[col] = math.max(words[col] or 0, longest * factor)
          texts[col] = math.max(texts[col] or 0, text_em(text) * factor)
        end
        col = col + (cell.col_span or 1)
      end
    end
  end
  visit(el.head.rows, 1.1)
  for _, body in ipairs(el.bodies) do
    visit(body.head, 1.0)
    visit(body.body, 1.0)
  end
  visit(el.foot.rows, 1.0)
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

local function fit_columns(el, fmt)
  local sizes, inset = fmt.sizes, fmt.inset
  local _, _, _, natural = widths(el, sizes[1], inset)
  if natural <= TEXT_WIDTH then
    return nil  -- fits: automatic widths
  end
  local size = sizes[#sizes]
  for _, s in ipairs(sizes) do
    local _, _, sum_min = widths(el, s, inset)
    if sum_min <= WORDS_SHARE * TEXT_WIDTH then
      size = s
      break
    end
  end
  local min, max, sum_min, sum_max = widths(el, size, inset)
  local spare = math.max(0, TEXT_WIDTH - sum_min)
  local stretch = sum_max - sum_min
  local total = math.max(TEXT_WIDTH, sum_min)
  for i = 1, #el.colspecs do
    local w = min[i]
    if stretch > 0 then
      w = w + spare * (max[i] - min[i]) / stretch
    end
    el.colspecs[i] = { el.colspecs[i][1], w / total }
  end
  return size
end

local function default_widths(el)
  for i, spec in ipairs(el.colspecs) do
    el.colspecs[i] = { spec[1], nil }
  end
end

function Table(el)
  local fmt = (is_typst() and TYPST) or (is_docx() and DOCX) or nil
  local size = fmt and fit_columns(el, fmt) or nil
  if size == nil then
    default_widths(el)  -- fits, or HTML: the browser lays the table out
    return el
  end
  if size < fmt.sizes[1] then
    if is_typst() then
      return {
        pandoc.RawBlock("typst", "#[#show table: set text(size: " .. size .. "pt)"),
        el,
        pandoc.RawBlock("typst", "]"),
      }
    end
    -- DOCX: a bookmark named lakin-tabel-kecil-N / lakin-tabel-mini-N before the table tells
    -- lakin.render to use the "Kecil" / "Mini" cell styles for it.
    small_tables = small_tables + 1
    if el.identifier == "" then
      el.identifier = "lakin-tabel-" .. DOCX.names[size] .. "-" .. small_tables
    end
  end
  return el
end
