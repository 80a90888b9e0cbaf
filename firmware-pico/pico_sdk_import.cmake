# pico_sdk_import.cmake: find the Pico SDK (2.x) given by PICO_SDK_PATH, as
# a CMake variable or in the environment, and load it.  Never downloads
# anything: the build is offline by design (see docs/firmware.md).
if(NOT PICO_SDK_PATH AND DEFINED ENV{PICO_SDK_PATH})
	set(PICO_SDK_PATH "$ENV{PICO_SDK_PATH}")
endif()
if(NOT PICO_SDK_PATH)
	message(FATAL_ERROR "PICO_SDK_PATH is not set: point it at a Pico SDK "
		"2.x checkout with its submodules (cyw43-driver, lwip, mbedtls, "
		"tinyusb)")
endif()
get_filename_component(PICO_SDK_PATH "${PICO_SDK_PATH}" REALPATH)
if(NOT EXISTS "${PICO_SDK_PATH}/pico_sdk_init.cmake")
	message(FATAL_ERROR "${PICO_SDK_PATH} is not a Pico SDK "
		"(no pico_sdk_init.cmake)")
endif()
set(PICO_SDK_PATH "${PICO_SDK_PATH}" CACHE PATH "The Pico SDK" FORCE)
include("${PICO_SDK_PATH}/pico_sdk_init.cmake")
