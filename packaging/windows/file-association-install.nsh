  ; .zmqcap capture files open in ZmqScope (SHCTX: per machine or per user, as installed).
  WriteRegStr SHCTX "Software\Classes\.zmqcap" "" "ZmqScope.Capture"
  WriteRegStr SHCTX "Software\Classes\.zmqcap" "Content Type" "application/x-zmqscope-capture"
  WriteRegStr SHCTX "Software\Classes\ZmqScope.Capture" "" "ZmqScope capture"
  WriteRegStr SHCTX "Software\Classes\ZmqScope.Capture\DefaultIcon" "" "$INSTDIR\bin\zmqscope.exe,0"
  WriteRegStr SHCTX "Software\Classes\ZmqScope.Capture\shell\open\command" "" '"$INSTDIR\bin\zmqscope.exe" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
