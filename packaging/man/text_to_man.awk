# Turns a plain-text reference laid out as plugin/policy_reference.h
# describes (what `docker-gc help gc.json` prints) into a man page.
#   docker-gc help gc.json |
#     awk -v section=5 -v date="May 2026" -v source="docker-gc 0.2.0" \
#         -v manual="File Formats" -f text_to_man.awk > gc.json.5

# esc: the text as roff prints it literally.
function esc(text) {
  gsub(/\\/, "\\e", text)
  gsub(/-/, "\\-", text)
  if (text ~ /^[.']/) text = "\\&" text
  return text
}

# term: a definition's term, its name in bold ("min_age (duration)").
function term(text, open) {
  open = index(text, " (")
  if (open == 0) return "\\fB" esc(text) "\\fR"
  return "\\fB" esc(substr(text, 1, open - 1)) "\\fR" esc(substr(text, open))
}

function indent(text) {
  match(text, /^ */)
  return RLENGTH
}

{ lines[NR] = $0 }

END {
  split(lines[1], name, / - /)
  printf ".TH %s %s \"%s\" \"%s\" \"%s\"\n", esc(toupper(name[1])), section,
         date, source, manual
  print ".SH NAME"
  print esc(name[1]) " \\- " esc(substr(lines[1], length(name[1]) + 4))
  state = "start"  # heading, text, term, literal, blank
  for (i = 2; i <= NR; i++) {
    line = lines[i]
    if (line == "") {
      if (state == "literal") {
        print ".fi"
        print ".RE"
      }
      if (state != "start" && state != "heading") state = "blank"
      continue
    }
    n = indent(line)
    text = substr(line, n + 1)
    if (n == 0) {
      if (state == "literal") {
        print ".fi"
        print ".RE"
      }
      print ".SH \"" esc(text) "\""
      state = "heading"
    } else if (n == 4 || (n > 4 && state == "literal")) {
      if (state != "literal") {
        print ".PP"
        print ".RS 4"
        print ".nf"
      }
      print esc(substr(line, 5))
      state = "literal"
    } else if (n == 2 && indent(lines[i + 1]) == 6 && lines[i + 1] != "") {
      print ".TP"
      print term(text)
      state = "term"
    } else if (n == 6) {
      print esc(text)
    } else {
      if (state == "blank" || state == "term" || state == "literal") {
        print ".PP"
      }
      print esc(text)
      state = "text"
    }
  }
}
