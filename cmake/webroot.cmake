# Stages the web root: web/ as it is, the NHS design system's CSS and JS under
# nhsuk/, and its images under assets/images/ (where its CSS looks for them).
# Usage: cmake -DSRC=repo -DNHSUK=node_modules/nhsuk-frontend/dist/nhsuk -DOUT=dir -P webroot.cmake
file(REMOVE_RECURSE ${OUT})
file(COPY ${SRC}/web/ DESTINATION ${OUT} PATTERN ".*" EXCLUDE)
file(COPY ${NHSUK}/nhsuk-frontend.min.css ${NHSUK}/nhsuk-frontend.min.js DESTINATION ${OUT}/nhsuk)
file(COPY ${NHSUK}/assets/images DESTINATION ${OUT}/assets)
