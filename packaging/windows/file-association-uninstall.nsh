  ; Removes the .zmqcap association, unless another program has taken it over since.
  DeleteRegKey SHCTX "Software\Classes\ZmqScope.Capture"
  ReadRegStr $0 SHCTX "Software\Classes\.zmqcap" ""
  StrCmp $0 "ZmqScope.Capture" 0 +2
  DeleteRegKey SHCTX "Software\Classes\.zmqcap"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
