#!/usr/bin/env bash
# Checked size arithmetic (issue 20, class 4): no allocation in src/ or
# drivers/ takes a size computed with a bare `*`. A product of sizes read
# from a file or an option can wrap around size_t, allocate a small block
# and let the loops that fill it write past its end; the helpers in
# include/benign/error.h check it instead:
#   bn_mallocn(ctx, n, size, &p)   bn_alloc_n(n, size)   bn_realloc_n(p, n, size)
#   bn_size_mul(a, b)  (saturates, for counts that are products themselves)
# and bn_calloc/calloc check count x size. Flagged: a `*` (after removing
# sizeof expressions, casts and calls other than bn_size_mul, whose
# arguments are checked in turn) in the size argument of malloc, realloc
# and bn_malloc, or in the count or size argument of calloc, bn_calloc,
# bn_mallocn, bn_alloc_n and bn_realloc_n.
#
# The checker is Perl (Essential on Debian, so always there). Its own
# test: a file of known bad and good calls must give exactly the bad ones.
set -u
cd "$(dirname "$0")/.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

check() {
  perl -0777 -ne '
    my $P; $P = qr/\((?:[^()]++|(??{$P}))*\)/;
    s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{"(?:[^"\\\n]|\\.)*"}{""}g;
    s{\x27(?:[^\x27\\\n]|\\.)*\x27}{0}g;
    sub args { my ($s) = @_; my @a; my ($d, $cur) = (0, "");
      for my $c (split //, $s) {
        if ($c eq "," && $d == 0) { push @a, $cur; $cur = ""; next }
        $d++ if $c eq "("; $d-- if $c eq ")"; $cur .= $c }
      push @a, $cur; return @a }
    sub bad { my ($e) = @_;
      $e =~ s/\b\d+\s*\*\s*(?=sizeof\b)//g;
      $e =~ s/\bsizeof\s*$P//g; $e =~ s/\bsizeof\s*\*?\s*[\w.>-]+//g;
      $e =~ s/\(\s*(?:const\s+)?(?:size_t|ssize_t|int|long|unsigned|int64_t|uint64_t|int32_t|uint32_t|bn_idx_t|double|char)\s*\)//g;
      while ($e =~ /\bbn_size_(?:mul|add)\s*($P)/) { my $in = substr($1, 1, -1);
        for (args($in)) { return 1 if bad($_) }
        $e =~ s/\bbn_size_(?:mul|add)\s*$P/F/ }
      $e =~ s/\b\w+\s*$P/F/g;
      return $e =~ /\*/ }
    my %which = (malloc => [0], realloc => [1], bn_malloc => [1],
      calloc => [0, 1], bn_calloc => [1, 2], bn_mallocn => [1, 2],
      bn_alloc_n => [0, 1], bn_realloc_n => [1, 2]);
    while (/(?<![\w.>])(malloc|realloc|calloc|bn_malloc|bn_calloc|bn_mallocn|bn_alloc_n|bn_realloc_n)\s*($P)/g) {
      my ($f, $call) = ($1, $2); my @a = args(substr($call, 1, -1));
      for my $k (@{$which{$f}}) {
        next unless defined $a[$k];
        if (bad($a[$k])) { (my $c = "$f$call") =~ s/\s+/ /g;
          print "$ARGV: $c\n" } } }
  ' "$@"
}

# The checker on known cases: 5 bad, 7 good.
cat >"$T/cases.c" <<'EOF'
p = malloc(n * sizeof(double));                   /* bad */
st = bn_malloc(ctx, (size_t)(a * b), &p);         /* bad */
st = bn_mallocn(ctx, rows * cols, sizeof *p, &p); /* bad */
q = bn_realloc_n(q, bn_size_mul(a * b, c), 8);    /* bad */
st = bn_mallocn(ctx, 4 * nl + 1, sizeof(double), &p); /* bad */
st = bn_malloc(ctx, 2 * sizeof(double) + 1, &p);
st = bn_mallocn(ctx, bn_size_mul(rows, cols), sizeof *p, &p);
st = bn_malloc(ctx, (size_t)len[0] + 1, &p); /* a comment: n * sizeof */
st = bn_calloc(ctx, (size_t)n + 1, sizeof(double), &p);
p = bn_alloc_n(len(x, y), sizeof(int));
st = bn_malloc(ctx, strlen("a * b") + 1, &p);
q = bn_realloc_n(q, cap, sizeof *q);
EOF
got=$(check "$T/cases.c" | grep -c .)
fails=0
if [ "$got" != 5 ]; then
  echo "FAIL: the checker found $got of the 5 bad calls in its own cases:"
  check "$T/cases.c"
  fails=$((fails + 1))
else
  echo "ok: the checker flags its 5 bad cases and none of the 7 good ones"
fi

mapfile -t files < <(find src drivers -name '*.[ch]' | sort)
check "${files[@]}" >"$T/found"
n=$(grep -c . "$T/found")
if [ "$n" != 0 ]; then
  echo "FAIL: $n allocations with an unchecked size product:"
  cat "$T/found"
  fails=$((fails + 1))
else
  echo "ok: ${#files[@]} files, every allocation size checked"
fi
echo "$((2 - fails)) passed, $fails failed"
[ "$fails" = 0 ]
