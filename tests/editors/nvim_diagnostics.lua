-- Headless Neovim, its built-in LSP client and nothing else: load the
-- recipe of docs/editors.md ($CNNC_RECIPE, editors/nvim/cnnc.lua) as a
-- user would, open the file on the command line (the recipe starts
-- `cnnc lsp`, found on $PATH), wait for its diagnostics, ask for a hover
-- at line $CNNC_HOVER_LINE, byte column $CNNC_HOVER_BYTE (sent in the
-- position encoding client and server agreed on: UTF-16 on 0.7, UTF-8 on
-- current ones), and write what the client holds as JSON to $CNNC_NVIM_OUT. Runs on Neovim 0.7 (Debian 12) and later.
local out = assert(os.getenv('CNNC_NVIM_OUT'), 'CNNC_NVIM_OUT')
dofile(assert(os.getenv('CNNC_RECIPE'), 'CNNC_RECIPE'))

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local buf = vim.api.nvim_get_current_buf()
    local clients = vim.lsp.get_clients or vim.lsp.get_active_clients
    local client
    vim.wait(10000, function()
      client = clients()[1]
      return client ~= nil
    end, 20)
    local result = {
      version = vim.version().major .. '.' .. vim.version().minor,
      filetype = vim.bo[buf].filetype,
      attached = client ~= nil and vim.lsp.buf_is_attached(buf, client.id),
      diagnostics = {},
      hover = vim.NIL,
    }
    if client then
      vim.wait(10000, function()
        return #vim.diagnostic.get(buf) > 0
      end, 20)
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        table.insert(result.diagnostics, {
          lnum = d.lnum,
          col = d.col,
          end_lnum = d.end_lnum,
          end_col = d.end_col,
          severity = d.severity,
          code = d.code,
          source = d.source,
          message = d.message,
        })
      end
      local line = tonumber(os.getenv('CNNC_HOVER_LINE'))
      local byte = tonumber(os.getenv('CNNC_HOVER_BYTE'))
      local character = vim.lsp.util.character_offset(buf, line, byte, client.offset_encoding or 'utf-16')
      result.offset_encoding = client.offset_encoding
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        position = { line = line, character = character },
      }
      local answers = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000) or {}
      for _, a in pairs(answers) do
        if a.result then
          result.hover = a.result.contents.value
        end
      end
      vim.lsp.stop_client(client.id)
    end
    vim.fn.writefile({ vim.fn.json_encode(result) }, out)
    vim.cmd('qa!')
  end,
})
