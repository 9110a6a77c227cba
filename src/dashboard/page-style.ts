/** @internal The page's style sheet. States have a word and a symbol besides their colour. */
export const STYLE = `
:root{--closed:#1a7f37;--open:#cf222e;--halfOpen:#bf8700;--isolated:#8250df;--disabled:#6e7781;--fg:#1f2328;--bg:#fff;--line:#d0d7de;--muted:#59636e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--line:#30363d;--muted:#9198a1;--closed:#3fb950;--open:#f85149;--halfOpen:#d29922;--isolated:#a371f7;--disabled:#8b949e}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:1.5em;align-items:baseline;flex-wrap:wrap;padding:.75em 1em;border-bottom:1px solid var(--line)}
h1{font-size:1.2em;margin:0}
header p{margin:0;color:var(--muted)}
#store.down{color:var(--open);font-weight:600}
main{padding:1em}
input{font:inherit;padding:.3em .5em;width:20em;max-width:100%;margin:0 .5em;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
#count,#more{color:var(--muted)}
#message{color:var(--open)}
table{border-collapse:collapse;width:100%;margin-top:.75em}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid var(--line);vertical-align:middle;white-space:nowrap}
th{font-weight:600;color:var(--muted);font-size:.85em}
td.name{white-space:normal;word-break:break-all;max-width:24em;font-family:ui-monospace,monospace}
.state{font-weight:600}
.state::before{display:inline-block;width:1.2em}
.s-closed{color:var(--closed)}.s-closed::before{content:"\\25CF"}
.s-open{color:var(--open)}.s-open::before{content:"\\25CB"}
.s-halfOpen{color:var(--halfOpen)}.s-halfOpen::before{content:"\\25D0"}
.s-isolated{color:var(--isolated)}.s-isolated::before{content:"\\25A0"}
.s-disabled{color:var(--disabled)}.s-disabled::before{content:"\\25C7"}
.rate{display:inline-block;position:relative;width:5em;height:.6em;margin-right:.4em;background:var(--line);border-radius:2px;vertical-align:middle}
.rate i{position:absolute;left:0;top:0;bottom:0;background:var(--closed);border-radius:2px}
.rate i.over{background:var(--open)}
.rate b{position:absolute;top:-.2em;bottom:-.2em;width:2px;background:var(--fg)}
.strip{display:inline-block;width:12em;height:.9em;border-radius:2px;background:var(--line);vertical-align:middle}
.muted{color:var(--muted)}
.fleet{font-size:.85em}
button{font:inherit;font-size:.85em;margin-right:.25em;padding:.1em .5em;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg);cursor:pointer}
button:hover{border-color:var(--fg)}
body:not(.controls) .ctl{display:none}
`;
