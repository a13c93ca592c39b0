# Turns the --help of every docker-gc command into a help2man include
# file: [OPTIONS] lists the options every command accepts (the docker CLI's
# global flags), [COMMANDS] each command's usage, summary and own options.
#   for c in plan apply ...; do docker-gc "$c" --help; done |
#     awk -f help_to_man.awk > commands.h2m
# A command's help is laid out as plugin/command.cc prints it:
#   Usage:  docker gc df [OPTIONS]
#   <summary lines>
#   Options:
#     -p, --policy file   Policy file (default ...)

# esc: the text as roff prints it literally.
function esc(text) {
  gsub(/\\/, "\\e", text)
  gsub(/-/, "\\-", text)
  if (text ~ /^[.']/) text = "\\&" text
  return text
}

# option_tag: "-p, --policy file" with the flags in bold, the value in
# italics.
function option_tag(flags, words, count, k, out, word, comma) {
  count = split(flags, words, / /)
  out = ""
  for (k = 1; k <= count; k++) {
    word = words[k]
    if (word ~ /^-/) {
      comma = sub(/,$/, "", word)
      word = "\\fB" esc(word) "\\fR" (comma ? "," : "")
    } else {
      word = "\\fI" esc(word) "\\fR"
    }
    out = out (k > 1 ? " " : "") word
  }
  return out
}

/^Usage:  / {
  commands++
  usage[commands] = substr($0, 9)
  summary[commands] = ""
  options[commands] = 0
  part = "summary"
  next
}
/^Options:$/ {
  part = "options"
  next
}
commands == 0 || $0 == "" { next }
part == "summary" {
  summary[commands] = summary[commands] esc($0) "\n"
  next
}
part == "options" {
  line = $0
  sub(/^ +/, "", line)
  split_at = match(line, /   */)
  if (split_at == 0) {
    print "help_to_man.awk: cannot read option line: " $0 > "/dev/stderr"
    failed = 1
    exit 1
  }
  key = ".TP\n" option_tag(substr(line, 1, split_at - 1)) "\n" \
        esc(substr(line, split_at + RLENGTH)) "\n"
  option[commands, ++options[commands]] = key
  seen[key]++
}

END {
  if (failed) exit 1
  if (commands == 0) {
    print "help_to_man.awk: no command help in the input" > "/dev/stderr"
    exit 1
  }
  print "[OPTIONS]"
  print "Every command accepts the docker CLI's global options:"
  for (k = 1; k <= options[1]; k++) {
    if (seen[option[1, k]] == commands) printf "%s", option[1, k]
  }
  print ""
  print "[COMMANDS]"
  for (c = 1; c <= commands; c++) {
    print ".SS \"" esc(usage[c]) "\""
    printf "%s", summary[c]
    for (k = 1; k <= options[c]; k++) {
      if (seen[option[c, k]] != commands) printf "%s", option[c, k]
    }
  }
}
