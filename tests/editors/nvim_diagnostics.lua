-- Headless Neovim, its built-in LSP client and nothing else: attach
-- `cnnc lsp` ($CNNC_BIN) to the file on the command line, wait for its
-- diagnostics, ask for a hover at ($CNNC_HOVER_LINE, $CNNC_HOVER_COL), and
-- write what the client holds as JSON to $CNNC_NVIM_OUT. Runs on Neovim
-- 0.7 (Debian 12) and later.
local out = assert(os.getenv('CNNC_NVIM_OUT'), 'CNNC_NVIM_OUT')
local cnnc = assert(os.getenv('CNNC_BIN'), 'CNNC_BIN')

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local buf = vim.api.nvim_get_current_buf()
    local config = { name = 'cnnc', cmd = { cnnc, 'lsp' }, root_dir = vim.fn.getcwd() }
    local id
    if vim.lsp.start then
      -- 0.8 and later: start and attach to the current buffer.
      id = vim.lsp.start(config)
    else
      id = vim.lsp.start_client(config)
      if id then
        vim.lsp.buf_attach_client(buf, id)
      end
    end
    local result = { attached = id ~= nil, diagnostics = {}, hover = vim.NIL }
    if id then
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
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        position = { line = tonumber(os.getenv('CNNC_HOVER_LINE')), character = tonumber(os.getenv('CNNC_HOVER_COL')) },
      }
      local answers = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000) or {}
      for _, a in pairs(answers) do
        if a.result then
          result.hover = a.result.contents.value
        end
      end
      vim.lsp.stop_client(id)
    end
    vim.fn.writefile({ vim.fn.json_encode(result) }, out)
    vim.cmd('qa!')
  end,
})
