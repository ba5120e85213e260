-- `cnnc lsp` for .cnn files in Neovim 0.7 (Debian 12's) and later.
-- `dofile('/path/to/cnnc/editors/nvim/cnnc.lua')` in init.lua, or paste it.
vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
  pattern = '*.cnn',
  callback = function() vim.bo.filetype = 'cnn' end,
})
local client_id -- Neovim 0.7: one client, attached to each .cnn buffer
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'cnn',
  callback = function(args)
    local config = { name = 'cnnc', cmd = { 'cnnc', 'lsp' }, root_dir = vim.fn.getcwd() }
    if vim.lsp.start then -- 0.8 and later
      vim.lsp.start(config)
    else
      client_id = client_id or vim.lsp.start_client(config)
      if client_id then vim.lsp.buf_attach_client(args.buf, client_id) end
    end
  end,
})
