" Vim syntax for cnnc's .cnn files (docs/language.md).
if exists('b:current_syntax')
  finish
endif

syntax keyword cnnDecl layer arch network nextgroup=cnnName skipwhite
syntax match cnnName /[A-Za-z_][A-Za-z0-9_]*/ contained
syntax match cnnBase /:\s*\zs[A-Za-z_][A-Za-z0-9_]*/
syntax match cnnKey /\<[A-Za-z_][A-Za-z0-9_]*\(\.[A-Za-z_][A-Za-z0-9_]*\)*\ze\s*=/
syntax match cnnNumber /-\?\<\d[0-9_]*\(\.\d[0-9_]*\)\?\([eE][+-]\?\d\+\)\?/
syntax match cnnShapeX /\d\@<=\s*x\s*\d\@=/
syntax keyword cnnUnit bit B KiB MiB Hz kHz MHz GHz pJ nJ uW mW W
syntax keyword cnnSwitch on off
syntax region cnnString start=/"/ skip=/\\[\\"]/ end=/"\|$/
syntax match cnnLineComment "//.*$"
syntax region cnnBlockComment start="/\*" end="\*/" contains=cnnBlockComment

highlight default link cnnDecl Keyword
highlight default link cnnName Type
highlight default link cnnBase Type
highlight default link cnnKey Identifier
highlight default link cnnNumber Number
highlight default link cnnShapeX Operator
highlight default link cnnUnit Special
highlight default link cnnSwitch Boolean
highlight default link cnnString String
highlight default link cnnLineComment Comment
highlight default link cnnBlockComment Comment

let b:current_syntax = 'cnn'
