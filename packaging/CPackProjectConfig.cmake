# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE): what differs
# between the package formats.

if(CPACK_GENERATOR STREQUAL "DEB")
    # Each component's CPACK_DEBIAN_<COMPONENT>_DESCRIPTION starts with its own
    # synopsis; CPackDeb would put this one-for-all summary in front of both.
    unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)
elseif(CPACK_GENERATOR STREQUAL "DragNDrop")
    # The disk image holds the application bundle only; the development files
    # are for the Windows installer and the Linux -dev/-devel packages.
    set(CPACK_COMPONENTS_ALL application)
    set(CPACK_DRAGNDROP_COMPONENT_INSTALL ON)
    set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
    set(CPACK_PACKAGE_FILE_NAME "ZmqScope-${CPACK_PACKAGE_VERSION}-macOS")
elseif(CPACK_GENERATOR STREQUAL "NSIS")
    # One installer with a page to choose the components.
    set(CPACK_PACKAGE_FILE_NAME "ZmqScope-${CPACK_PACKAGE_VERSION}-win64")
endif()
