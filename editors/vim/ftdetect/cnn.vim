" .cnn files are cnnc accelerator descriptions.
autocmd BufRead,BufNewFile *.cnn setfiletype cnn
